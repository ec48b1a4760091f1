import { Injectable } from '@nestjs/common';
import { AgeBand, DiagnosticLevel, Situation } from '@app/contracts';
import { TransactionHost } from '@app/database';

export const PASS_STATUSES = ['issued', 'redeemed', 'voided', 'expired'] as const;
export type PassStatus = (typeof PASS_STATUSES)[number];
/** Derived from the passes (view booklet_summaries): issuance never decides it. */
export const BOOKLET_STATUSES = ['issued', 'started', 'finished', 'voided', 'expired'] as const;
export type BookletStatus = (typeof BOOKLET_STATUSES)[number];

export interface NewBooklet {
  id: string;
  programId: string;
  agencyId: string;
  beneficiaryRef: string;
  ageBand: AgeBand | null;
  situation: Situation;
  diagnosticLevel: DiagnosticLevel;
  totalCents: number;
  issuedBy: string;
}

export interface NewPass {
  id: string;
  position: number;
  amountCents: number;
  codeSealed: Buffer;
  codeHash: string;
}

export interface BookletRow {
  id: string;
  programId: string;
  programName: string;
  agencyId: string;
  beneficiaryRef: string;
  ageBand: AgeBand | null;
  situation: Situation;
  diagnosticLevel: DiagnosticLevel;
  totalCents: number;
  issuedBy: string;
  issuedAt: Date;
  status: BookletStatus;
  passesIssued: number;
  passesRedeemed: number;
  passesVoided: number;
  passesExpired: number;
}

export interface PassRow {
  id: string;
  bookletId: string;
  position: number;
  amountCents: number;
  status: PassStatus;
  statusChangedAt: Date;
}

export interface PassWithVoidRequestRow extends PassRow {
  voidRequest: { id: string; status: string; reason: string; rejectionReason: string | null; requestedAt: string } | null;
}

export interface BookletFilter {
  agencyId?: string;
  programId?: string;
  status?: BookletStatus;
  from?: string;
  to?: string;
}

const BOOKLET_COLUMNS = `s.id, s.program_id AS "programId", p.name AS "programName", s.agency_id AS "agencyId", s.beneficiary_ref AS "beneficiaryRef",
  s.age_band AS "ageBand", s.situation, s.diagnostic_level AS "diagnosticLevel", s.total_cents AS "totalCents", s.issued_by AS "issuedBy",
  s.issued_at AS "issuedAt", s.status, s.passes_issued AS "passesIssued", s.passes_redeemed AS "passesRedeemed",
  s.passes_voided AS "passesVoided", s.passes_expired AS "passesExpired"`;

const PASS_COLUMNS = `id, booklet_id AS "bookletId", position, amount_cents AS "amountCents", status, status_changed_at AS "statusChangedAt"`;

@Injectable()
export class BookletRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(booklet: NewBooklet, passes: NewPass[]): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO booklets (id, program_id, agency_id, beneficiary_ref, age_band, situation, diagnostic_level, total_cents, issued_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [booklet.id, booklet.programId, booklet.agencyId, booklet.beneficiaryRef, booklet.ageBand, booklet.situation, booklet.diagnosticLevel, booklet.totalCents, booklet.issuedBy],
    );
    await this.tx.manager.query(
      `INSERT INTO passes (id, booklet_id, position, amount_cents, code_sealed, code_hash)
       SELECT id, $1, position, amount_cents, code_sealed, code_hash
       FROM unnest($2::uuid[], $3::int[], $4::int[], $5::bytea[], $6::text[]) AS t(id, position, amount_cents, code_sealed, code_hash)`,
      [booklet.id, passes.map((p) => p.id), passes.map((p) => p.position), passes.map((p) => p.amountCents), passes.map((p) => p.codeSealed), passes.map((p) => p.codeHash)],
    );
  }

  async findById(id: string): Promise<BookletRow | null> {
    const rows: BookletRow[] = await this.tx.manager.query(
      `SELECT ${BOOKLET_COLUMNS} FROM booklet_summaries s JOIN programs p ON p.id = s.program_id WHERE s.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Newest first; `from`/`to` are Paris calendar dates, both included. */
  async list(filter: BookletFilter, offset: number, limit: number): Promise<{ rows: BookletRow[]; total: number }> {
    const where = `($1::uuid IS NULL OR s.agency_id = $1) AND ($2::uuid IS NULL OR s.program_id = $2) AND ($3::text IS NULL OR s.status = $3)
      AND ($4::date IS NULL OR s.issued_on >= $4) AND ($5::date IS NULL OR s.issued_on <= $5)`;
    const parameters = [filter.agencyId ?? null, filter.programId ?? null, filter.status ?? null, filter.from ?? null, filter.to ?? null];
    const rows: BookletRow[] = await this.tx.manager.query(
      `SELECT ${BOOKLET_COLUMNS} FROM booklet_summaries s JOIN programs p ON p.id = s.program_id
       WHERE ${where} ORDER BY s.issued_at DESC, s.id LIMIT $6 OFFSET $7`,
      [...parameters, limit, offset],
    );
    const [{ count }] = await this.tx.manager.query(`SELECT count(*)::int AS count FROM booklet_summaries s WHERE ${where}`, parameters);
    return { rows, total: count };
  }

  /** Each pass with its latest void request, if any. */
  findPasses(bookletId: string): Promise<PassWithVoidRequestRow[]> {
    return this.tx.manager.query(
      `SELECT p.id, p.booklet_id AS "bookletId", p.position, p.amount_cents AS "amountCents", p.status, p.status_changed_at AS "statusChangedAt",
              CASE WHEN v.id IS NULL THEN NULL ELSE json_build_object('id', v.id, 'status', v.status, 'reason', v.reason,
                'rejectionReason', v.rejection_reason, 'requestedAt', v.requested_at) END AS "voidRequest"
       FROM passes p
       LEFT JOIN LATERAL (SELECT * FROM void_requests WHERE pass_id = p.id ORDER BY requested_at DESC, id LIMIT 1) v ON true
       WHERE p.booklet_id = $1 ORDER BY p.position`,
      [bookletId],
    );
  }

  /** The sealed codes, for printing only. */
  findSealedCodes(bookletId: string): Promise<Array<{ id: string; position: number; amountCents: number; codeSealed: Buffer }>> {
    return this.tx.manager.query(
      'SELECT id, position, amount_cents AS "amountCents", code_sealed AS "codeSealed" FROM passes WHERE booklet_id = $1 ORDER BY position',
      [bookletId],
    );
  }

  async findPass(passId: string): Promise<PassRow | null> {
    const rows: PassRow[] = await this.tx.manager.query(`SELECT ${PASS_COLUMNS} FROM passes WHERE id = $1`, [passId]);
    return rows[0] ?? null;
  }

  /**
   * Mirrors redemption's decision. Null when the pass is unknown (or not in
   * that booklet); otherwise the status it had before.
   */
  async setPassStatus(passId: string, bookletId: string, status: PassStatus): Promise<{ previous: PassStatus; amountCents: number; agencyId: string; programId: string } | null> {
    const [rows] = await this.tx.manager.query(
      `UPDATE passes p SET status = $3, status_changed_at = now()
       FROM (SELECT id, status FROM passes WHERE id = $1 AND booklet_id = $2 FOR UPDATE) old, booklets b
       WHERE p.id = old.id AND b.id = p.booklet_id
       RETURNING old.status AS previous, p.amount_cents AS "amountCents", b.agency_id AS "agencyId", b.program_id AS "programId"`,
      [passId, bookletId, status],
    );
    return rows[0] ?? null;
  }

  async recordPrint(bookletId: string, printedBy: string): Promise<void> {
    await this.tx.manager.query('INSERT INTO booklet_prints (booklet_id, printed_by) VALUES ($1, $2)', [bookletId, printedBy]);
  }
}
