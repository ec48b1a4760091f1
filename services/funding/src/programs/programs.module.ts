import { Module } from '@nestjs/common';
import { FundersModule } from '../funders/funders.module';
import { LedgerModule } from '../ledger/ledger.module';
import { ProgramRepository } from './program.repository';
import { ProgramsController } from './programs.controller';
import { ProgramsService } from './programs.service';

@Module({
  imports: [FundersModule, LedgerModule],
  controllers: [ProgramsController],
  providers: [ProgramsService, ProgramRepository],
  exports: [ProgramsService],
})
export class ProgramsModule {}
