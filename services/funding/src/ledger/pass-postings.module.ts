import { Module } from '@nestjs/common';
import { ProgramsModule } from '../programs/programs.module';
import { SettlementItemsModule } from '../settlement/settlement-items.module';
import { LedgerPassRepository } from './ledger-pass.repository';
import { LedgerModule } from './ledger.module';
import { PassPostingsService } from './pass-postings.service';

@Module({
  imports: [ProgramsModule, LedgerModule, SettlementItemsModule],
  providers: [PassPostingsService, LedgerPassRepository],
  exports: [PassPostingsService],
})
export class PassPostingsModule {}
