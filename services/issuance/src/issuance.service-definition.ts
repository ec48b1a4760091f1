import { Module } from '@nestjs/common';
import { DeadLetterResolution1765100000000, MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';
import { AgenciesModule } from './agencies/agencies.module';
import { Agency } from './agencies/agency.entity';
import { AllocationsModule } from './allocations/allocations.module';
import { BookletsModule } from './booklets/booklets.module';
import { IssuanceSettings } from './issuance.settings';
import { Agencies1763800001000 } from './migrations/1763800001000-agencies';
import { ProgramsAndAllocations1763800100000 } from './migrations/1763800100000-programs-and-allocations';
import { Booklets1763800200000 } from './migrations/1763800200000-booklets';
import { BookletOrders1763800300000 } from './migrations/1763800300000-booklet-orders';
import { BookletOrderRequests1764400000000 } from './migrations/1764400000000-booklet-order-requests';
import { PassOutcomesModule } from './pass-outcomes/pass-outcomes.module';
import { PrintingModule } from './printing/printing.module';
import { Funder } from './programs/funder.entity';
import { Program } from './programs/program.entity';
import { VoidsModule } from './voids/voids.module';

@Module({
  imports: [AgenciesModule, AllocationsModule, BookletsModule, VoidsModule, PassOutcomesModule, PrintingModule],
})
export class IssuanceModule {}

export const issuanceService: ServiceDefinition = {
  name: 'issuance',
  defaultPort: 3001,
  description: 'Agencies, counselors, and booklets of passes issued against the allocations funders granted.',
  apiTags: {
    agencies: 'Agencies whose counselors issue booklets, registered by the operator',
    allocations: "Each agency's balance per program: credited by funding's grants, spent by booklets",
    booklets: 'Booklets of passes: issuing one or a whole campaign, reading and printing them',
    voids: 'Requests to void a pass or a whole booklet, which redemption decides',
  },
  module: IssuanceModule,
  entities: [Agency, Program, Funder],
  migrations: [
    MessagingTables1763800000000,
    Agencies1763800001000,
    ProgramsAndAllocations1763800100000,
    Booklets1763800200000,
    BookletOrders1763800300000,
    BookletOrderRequests1764400000000,
    DeadLetterResolution1765100000000,
  ],
  settings: IssuanceSettings,
};
