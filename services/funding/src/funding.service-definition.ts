import { Module } from '@nestjs/common';
import { MessagingTables1763800000000 } from '@app/messaging';
import { ServiceDefinition } from '@app/platform';
import { KnownAgenciesModule } from './agencies/known-agencies.module';
import { KnownAgency } from './agencies/known-agency.entity';
import { KnownAgencies1763800001000 } from './migrations/1763800001000-known-agencies';

@Module({ imports: [KnownAgenciesModule] })
export class FundingModule {}

export const fundingService: ServiceDefinition = {
  name: 'funding',
  defaultPort: 3003,
  description: 'Funders, co-funded programs, allocations to agencies, the double-entry ledger and settlement.',
  module: FundingModule,
  entities: [KnownAgency],
  migrations: [MessagingTables1763800000000, KnownAgencies1763800001000],
};
