import { Module } from '@nestjs/common';
import { KnownAgenciesModule } from '../agencies/known-agencies.module';
import { LedgerModule } from '../ledger/ledger.module';
import { ProgramsModule } from '../programs/programs.module';
import { AllocationRepository } from './allocation.repository';
import { AllocationsController } from './allocations.controller';
import { AllocationsService } from './allocations.service';

@Module({
  imports: [ProgramsModule, LedgerModule, KnownAgenciesModule],
  controllers: [AllocationsController],
  providers: [AllocationsService, AllocationRepository],
  exports: [AllocationsService],
})
export class AllocationsModule {}
