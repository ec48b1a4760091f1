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
  /** The BookletIssued event's occurredAt, so the row, the answer and the event agree (the same for a whole order). */
  issuedAt: Date;
  /** Set for the booklets of a bulk order, with their 1-based place in it. */
  orderId: string | null;
  orderPosition: number | null;
}

export interface NewPass {
  id: string;
  bookletId: string;
  position: number;
  amountCents: number;
  codeSealed: Buffer;
  codeHash: string;
}

/** What issuing needs to know of a program. */
export interface IssuableProgram {
  id: string;
  name: string;
  faceValueCents: number;
  bookletSize: number;
  validFrom: string;
  validUntil: string;
  toleranceDays: number;
  territory: string[];
  status: string;
}

/** A stored booklet with its passes' sealed codes, as printing and order replays read it. */
export type SealedBookletRow = Omit<NewBooklet, 'orderId' | 'orderPosition'> & {
  validUntil: string;
  passes: Array<{ id: string; position: number; amountCents: number; codeSealed: string }>;
};

/** A stored booklet as the agency's lists show it, with its pass counts. */
export type BookletRow = Omit<NewBooklet, 'orderId' | 'orderPosition'> & {
  programName: string;
  status: BookletStatus;
  passesIssued: number;
  passesRedeemed: number;
  passesVoided: number;
  passesExpired: number;
};

export interface PassRow {
  id: string;
  bookletId: string;
  position: number;
  amountCents: number;
  status: PassStatus;
  statusChangedAt: Date;
}

export interface PassWithVoidRequestRow extends PassRow {
  voidRequest: {
    id: string;
    status: string;
    reason: string;
    rejectionReason: string | null;
    requestedAt: string;
  } | null;
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

  /**
   * The counselor's agency and the program in one round trip: the hot path of
   * issuance pays per statement, not per row.
   */
  async findIssuingContext(
    agencyId: string,
    programId: string,
  ): Promise<{ agencyKnown: boolean; program: IssuableProgram | null }> {
    const [row] = await this.tx.manager.query(
      `SELECT EXISTS (SELECT 1 FROM agencies WHERE id = $1) AS "agencyKnown", p.id, p.name, p.face_value_cents AS "faceValueCents",
              p.booklet_size AS "bookletSize", p.valid_from::text AS "validFrom", p.valid_until::text AS "validUntil",
              p.tolerance_days AS "toleranceDays", p.territory, p.status
       FROM (SELECT 1) one LEFT JOIN programs p ON p.id = $2`,
      [agencyId, programId],
    );
    const { agencyKnown, ...program } = row;
    return { agencyKnown, program: program.id ? (program as IssuableProgram) : null };
  }

  /**
   * Spends `costCents` of the allocation and inserts the booklets and their
   * passes in ONE statement, only if the balance covers the whole cost: the
   * allocation row stays locked from this statement to the commit, not across
   * the inserts' round trips. Concurrent spenders queue on the row lock and
   * each sees the balance the previous one left. Nothing is inserted when not spent.
   */
  async insertAgainstAllocation(
    spend: { agencyId: string; programId: string; costCents: number },
    booklets: NewBooklet[],
    passes: NewPass[],
  ): Promise<boolean> {
    const [{ spent }] = await this.tx.manager.query(
      `WITH spent AS (
         UPDATE allocations SET balance_cents = balance_cents - $3, updated_at = now()
         WHERE agency_id = $1 AND program_id = $2 AND balance_cents >= $3
         RETURNING 1
       ), new_booklets AS (
         INSERT INTO booklets (id, program_id, agency_id, beneficiary_ref, age_band, situation, diagnostic_level, total_cents, issued_by, issued_at, order_id, order_position)
         SELECT b.id, $2, $1, b.beneficiary_ref, b.age_band, b.situation, b.diagnostic_level, b.total_cents, b.issued_by, $19::timestamptz, b.order_id, b.order_position
         FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::uuid[], $12::int[])
              AS b(id, beneficiary_ref, age_band, situation, diagnostic_level, total_cents, issued_by, order_id, order_position)
         WHERE EXISTS (SELECT 1 FROM spent)
       ), new_passes AS (
         INSERT INTO passes (id, booklet_id, position, amount_cents, code_sealed, code_hash)
         SELECT p.id, p.booklet_id, p.position, p.amount_cents, p.code_sealed, p.code_hash
         FROM unnest($13::uuid[], $14::uuid[], $15::int[], $16::int[], $17::bytea[], $18::text[]) AS p(id, booklet_id, position, amount_cents, code_sealed, code_hash)
         WHERE EXISTS (SELECT 1 FROM spent)
       )
       SELECT EXISTS (SELECT 1 FROM spent) AS spent`,
      [
        spend.agencyId,
        spend.programId,
        spend.costCents,
        booklets.map((b) => b.id),
        booklets.map((b) => b.beneficiaryRef),
        booklets.map((b) => b.ageBand),
        booklets.map((b) => b.situation),
        booklets.map((b) => b.diagnosticLevel),
        booklets.map((b) => b.totalCents),
        booklets.map((b) => b.issuedBy),
        booklets.map((b) => b.orderId),
        booklets.map((b) => b.orderPosition),
        passes.map((p) => p.id),
        passes.map((p) => p.bookletId),
        passes.map((p) => p.position),
        passes.map((p) => p.amountCents),
        passes.map((p) => p.codeSealed),
        passes.map((p) => p.codeHash),
        booklets[0].issuedAt,
      ],
    );
    return spent;
  }

  /** An order's booklets in the order's sequence, with their sealed codes: only to answer an idempotent replay of the order. */
  findOrderBookletsWithSealedCodes(orderId: string): Promise<SealedBookletRow[]> {
    return this.tx.manager.query(
      `SELECT b.id, b.program_id AS "programId", b.agency_id AS "agencyId", b.beneficiary_ref AS "beneficiaryRef", b.age_band AS "ageBand",
              b.situation, b.diagnostic_level AS "diagnosticLevel", b.total_cents AS "totalCents", b.issued_by AS "issuedBy", b.issued_at AS "issuedAt",
              pr.valid_until::text AS "validUntil",
              json_agg(json_build_object('id', p.id, 'position', p.position, 'amountCents', p.amount_cents, 'codeSealed', encode(p.code_sealed, 'base64'))
                       ORDER BY p.position) AS passes
       FROM booklets b JOIN programs pr ON pr.id = b.program_id JOIN passes p ON p.booklet_id = b.id
       WHERE b.order_id = $1
       GROUP BY b.id, pr.valid_until ORDER BY b.order_position`,
      [orderId],
    );
  }

  async findOrderBookletIds(orderId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.tx.manager.query(
      'SELECT id FROM booklets WHERE order_id = $1 ORDER BY order_position',
      [orderId],
    );
    return rows.map((row) => row.id);
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
    const parameters = [
      filter.agencyId ?? null,
      filter.programId ?? null,
      filter.status ?? null,
      filter.from ?? null,
      filter.to ?? null,
    ];
    const rows: BookletRow[] = await this.tx.manager.query(
      `SELECT ${BOOKLET_COLUMNS} FROM booklet_summaries s JOIN programs p ON p.id = s.program_id
       WHERE ${where} ORDER BY s.issued_at DESC, s.id LIMIT $6 OFFSET $7`,
      [...parameters, limit, offset],
    );
    const [{ count }] = await this.tx.manager.query(
      `SELECT count(*)::int AS count FROM booklet_summaries s WHERE ${where}`,
      parameters,
    );
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
  findSealedCodes(
    bookletId: string,
  ): Promise<Array<{ id: string; position: number; amountCents: number; codeSealed: Buffer }>> {
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
  async setPassStatus(
    passId: string,
    bookletId: string,
    status: PassStatus,
  ): Promise<{ previous: PassStatus; amountCents: number; agencyId: string; programId: string } | null> {
    const [rows] = await this.tx.manager.query(
      `UPDATE passes p SET status = $3, status_changed_at = now()
       FROM (SELECT id, status FROM passes WHERE id = $1 AND booklet_id = $2 FOR UPDATE) old, booklets b
       WHERE p.id = old.id AND b.id = p.booklet_id
       RETURNING old.status AS previous, p.amount_cents AS "amountCents", b.agency_id AS "agencyId", b.program_id AS "programId"`,
      [passId, bookletId, status],
    );
    return rows[0] ?? null;
  }

  /**
   * Mirrors several decisions at once, the last one per pass winning (they
   * come in partition order). Returns the ids of the passes updated: one
   * missing is unknown, or not in that booklet.
   */
  async setPassStatuses(
    changes: Array<{ passId: string; bookletId: string; status: PassStatus }>,
  ): Promise<Set<string>> {
    const latest = new Map(
      changes.map((change) => [`${change.passId.toLowerCase()}|${change.bookletId.toLowerCase()}`, change]),
    );
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [Array<{ id: string }>, number] = await this.tx.manager.query(
      `UPDATE passes p SET status = c.status, status_changed_at = now()
         FROM json_to_recordset($1::json) AS c("passId" uuid, "bookletId" uuid, status text)
        WHERE p.id = c."passId" AND p.booklet_id = c."bookletId"
        RETURNING p.id`,
      [JSON.stringify([...latest.values()])],
    );
    return new Set(rows.map((row) => row.id));
  }

  async recordPrint(bookletId: string, printedBy: string): Promise<void> {
    await this.tx.manager.query('INSERT INTO booklet_prints (booklet_id, printed_by) VALUES ($1, $2)', [
      bookletId,
      printedBy,
    ]);
  }
}
