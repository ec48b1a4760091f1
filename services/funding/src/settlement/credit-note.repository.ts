import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export interface CreditNote {
  id: string;
  programId: string;
  fundingLineId: string;
  funderId: string;
  reference: string;
  amountCents: number;
  issuedBy: string;
  issuedAt: Date;
}

function toCreditNote(r: Record<string, never>): CreditNote {
  return {
    id: r.id,
    programId: r.program_id,
    fundingLineId: r.funding_line_id,
    funderId: r.funder_id,
    reference: r.reference,
    amountCents: Number(r.amount_cents),
    issuedBy: r.issued_by,
    issuedAt: r.issued_at,
  };
}

@Injectable()
export class CreditNoteRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Credit notes of one program are issued one at a time. */
  async lockProgram(programId: string): Promise<void> {
    await this.tx
      .requireTransaction('Issuing credit notes')
      .query(`SELECT id FROM programs WHERE id = $1 FOR UPDATE`, [programId]);
  }

  async insert(note: Omit<CreditNote, 'issuedAt'>): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO funder_credit_notes (id, program_id, funding_line_id, funder_id, reference, amount_cents, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [note.id, note.programId, note.fundingLineId, note.funderId, note.reference, note.amountCents, note.issuedBy],
    );
  }

  async ofProgram(programId: string, funderId?: string): Promise<CreditNote[]> {
    const rows = await this.tx.manager.query(
      `SELECT n.* FROM funder_credit_notes n JOIN funding_lines l ON l.id = n.funding_line_id
        WHERE n.program_id = $1 AND ($2::uuid IS NULL OR n.funder_id = $2) ORDER BY l.position`,
      [programId, funderId ?? null],
    );
    return rows.map(toCreditNote);
  }
}
