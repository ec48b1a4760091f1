import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { PayeesModule } from '../payees/payees.module';
import { ProgramsModule } from '../programs/programs.module';
import { CreditNoteRepository } from './credit-note.repository';
import { CreditNotesController } from './credit-notes.controller';
import { CreditNotesService } from './credit-notes.service';
import { SettlementRunsController } from './settlement-runs.controller';
import { SettlementRunsService } from './settlement-runs.service';
import { SettlementJob } from './settlement.job';
import { SettlementRepository } from './settlement.repository';

@Module({
  imports: [LedgerModule, PayeesModule, ProgramsModule],
  controllers: [SettlementRunsController, CreditNotesController],
  providers: [SettlementRunsService, SettlementRepository, CreditNotesService, CreditNoteRepository, SettlementJob],
})
export class SettlementModule {}
