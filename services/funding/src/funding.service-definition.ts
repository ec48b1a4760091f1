import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { DeadLetterResolution1765100000000, MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';
import { KnownAgenciesModule } from './agencies/known-agencies.module';
import { KnownAgency } from './agencies/known-agency.entity';
import { AllocationsModule } from './allocations/allocations.module';
import { ConsumersModule } from './consumers/consumers.module';
import { Funder } from './funders/funder.entity';
import { FundersModule } from './funders/funders.module';
import { FundingSettings } from './funding.settings';
import { KnownAgencies1763800001000 } from './migrations/1763800001000-known-agencies';
import { FundersProgramsLedger1763800200000 } from './migrations/1763800200000-funders-programs-ledger';
import { Settlement1763800300000 } from './migrations/1763800300000-settlement';
import { DropParkedPassEvents1765000000000 } from './migrations/1765000000000-drop-parked-pass-events';
import { FundingLine } from './programs/funding-line.entity';
import { Program } from './programs/program.entity';
import { ProgramsModule } from './programs/programs.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { SettlementModule } from './settlement/settlement.module';

@Module({
  imports: [
    ScheduleModule.forRoot(),
    KnownAgenciesModule,
    FundersModule,
    ProgramsModule,
    AllocationsModule,
    ReconciliationModule,
    ConsumersModule,
    SettlementModule,
  ],
})
export class FundingModule {}

export const fundingService: ServiceDefinition = {
  name: 'funding',
  defaultPort: 3003,
  description: 'Funders, co-funded programs, allocations to agencies, the double-entry ledger and settlement.',
  apiTags: {
    agencies: 'Agencies budget can be allocated to, as learnt from issuance',
    funders: 'Funders (State, départements, CAF…), registered by the operator',
    programs: 'Co-funded programs: opening, budget, closure, balances and ledger transfers',
    allocations: 'Budget granted to agencies, and reclaims of what they did not spend',
    ledger: 'Checks of the double-entry ledger',
    payees: 'The sites funding pays, with their payout account',
    settlement: 'Monthly settlement runs, statements, SEPA payment files and credit notes',
  },
  module: FundingModule,
  entities: [KnownAgency, Funder, Program, FundingLine],
  migrations: [
    MessagingTables1763800000000,
    KnownAgencies1763800001000,
    FundersProgramsLedger1763800200000,
    Settlement1763800300000,
    DropParkedPassEvents1765000000000,
    DeadLetterResolution1765100000000,
  ],
  settings: FundingSettings,
};
