import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthenticatedUser } from '@app/auth';
import { FunderCreditNoteIssued } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem } from '@app/platform';
import { LedgerService } from '../ledger/ledger.service';
import { ProgramsService } from '../programs/programs.service';
import { CreditNote, CreditNoteRepository } from './credit-note.repository';
import { parisDay } from '@app/calendar';

/** `YYYY-MM-DD` plus some days, on the calendar. */
function addDays(date: string, count: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + count);
  return at.toISOString().slice(0, 10);
}

/**
 * When a program's passes can no longer be used, the value they released
 * (the funder_released balance of each funding line) is credited back to each
 * funder: one credit note per funding line, once per program.
 */
@Injectable()
export class CreditNotesService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly notes: CreditNoteRepository,
    private readonly programs: ProgramsService,
    private readonly ledger: LedgerService,
    private readonly events: EventPublisher,
  ) {}

  issue(programId: string, user: AuthenticatedUser, now = new Date()): Promise<CreditNote[]> {
    return this.tx.run(async () => {
      const program = await this.programs.getReadable(programId, user);
      await this.notes.lockProgram(programId);
      const lastUsableDay = addDays(program.validUntil, program.toleranceDays);
      if (parisDay(now) <= lastUsableDay) {
        throw Problem.conflict(
          'PROGRAM_VALIDITY_NOT_OVER',
          `Les pass de ce programme restent utilisables jusqu'au ${lastUsableDay} inclus : aucun avoir avant la fin de cette période.`,
          { lastUsableDay },
        );
      }
      if ((await this.notes.ofProgram(programId)).length > 0)
        throw Problem.conflict('CREDIT_NOTES_ALREADY_ISSUED', 'Les avoirs de ce programme ont déjà été émis.');
      const balances = await this.ledger.balances(program);
      if (balances.totals.passes_outstanding > 0) {
        throw Problem.conflict(
          'PROGRAM_EXPIRIES_PENDING',
          "Des pass de ce programme ne sont pas encore expirés dans le grand livre : l'avoir attend leur expiration.",
          {
            outstandingCents: balances.totals.passes_outstanding,
          },
        );
      }
      const notes = program.fundingLines.map((line) => ({
        id: randomUUID(),
        programId,
        fundingLineId: line.id,
        funderId: line.funderId,
        reference: `PN-AV-${programId.slice(0, 8)}-${line.position + 1}`,
        amountCents: balances.fundingLines.find((l) => l.fundingLineId === line.id)!.balances.funder_released,
        issuedBy: user.subject,
      }));
      for (const note of notes) await this.notes.insert(note);
      await this.events.publishAll(
        FunderCreditNoteIssued,
        notes.map(({ id, ...note }) => ({ creditNoteId: id, ...note })),
      );
      return this.notes.ofProgram(programId);
    });
  }

  async list(programId: string, user: AuthenticatedUser): Promise<CreditNote[]> {
    await this.programs.getReadable(programId, user);
    return this.notes.ofProgram(programId, user.role === 'funder' ? user.org! : undefined);
  }
}
