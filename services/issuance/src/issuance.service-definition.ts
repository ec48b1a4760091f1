import { Module } from '@nestjs/common';
import { MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';
import { AgenciesModule } from './agencies/agencies.module';
import { Agency } from './agencies/agency.entity';
import { Agencies1763800001000 } from './migrations/1763800001000-agencies';

@Module({ imports: [AgenciesModule] })
export class IssuanceModule {}

export const issuanceService: ServiceDefinition = {
  name: 'issuance',
  defaultPort: 3001,
  description: 'Agencies, counselors, and booklets of passes issued against the allocations funders granted.',
  module: IssuanceModule,
  entities: [Agency],
  migrations: [MessagingTables1763800000000, Agencies1763800001000],
};
