import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { FundingEventsConsumer } from '../consumers/funding-events.consumer';
import { ProgramsModule } from '../programs/programs.module';
import { AllocationRepository } from './allocation.repository';
import { AllocationsController } from './allocations.controller';
import { AllocationsService } from './allocations.service';

@Module({
  imports: [AgenciesModule, ProgramsModule],
  controllers: [AllocationsController, FundingEventsConsumer],
  providers: [AllocationsService, AllocationRepository],
  exports: [AllocationsService, AllocationRepository],
})
export class AllocationsModule {}
