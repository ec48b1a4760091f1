import { Module } from '@nestjs/common';
import { IssuanceEventsConsumer } from '../consumers/issuance-events.consumer';
import { KnownAgenciesController } from './known-agencies.controller';
import { KnownAgenciesService } from './known-agencies.service';
import { KnownAgencyRepository } from './known-agency.repository';

@Module({
  controllers: [KnownAgenciesController, IssuanceEventsConsumer],
  providers: [KnownAgenciesService, KnownAgencyRepository],
})
export class KnownAgenciesModule {}
