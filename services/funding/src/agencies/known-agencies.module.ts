import { Module } from '@nestjs/common';
import { KnownAgenciesController } from './known-agencies.controller';
import { KnownAgenciesService } from './known-agencies.service';
import { KnownAgencyRepository } from './known-agency.repository';

@Module({
  controllers: [KnownAgenciesController],
  providers: [KnownAgenciesService, KnownAgencyRepository],
  exports: [KnownAgenciesService, KnownAgencyRepository],
})
export class KnownAgenciesModule {}
