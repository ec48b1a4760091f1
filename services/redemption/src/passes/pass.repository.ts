import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@app/database';
import { ExpiredPass, NewPass, PassRecord, PassStatus } from './pass.model';

/** Each pass with its live (not cancelled) redemption, if any. */
const SELECT_PASSES = `
  SELECT p.id, p.booklet_id, p.program_id, p.agency_id, p.code_hash, p.amount_cents, p.territory, p.status, p.tolerance_days,
         to_char(p.valid_from, 'YYYY-MM-DD') AS valid_from, to_char(p.valid_until, 'YYYY-MM-DD') AS valid_until,
         r.redeemed_at, r.site_id AS redeemed_at_site_id
  FROM passes p
  LEFT JOIN redemption_lines l ON l.pass_id = p.id AND l.cancelled_at IS NULL
  LEFT JOIN redemptions r ON r.id = l.redemption_id`;

/** Every redemption locks its passes with it. */
const LOCK_BY_CODE_HASHES = preparedStatement(
  'passes-lock-by-code-hashes',
  `${SELECT_PASSES} WHERE p.code_hash = ANY($1::bpchar[]) ORDER BY p.id FOR UPDATE OF p`,
);

function toPass(row: Record<string, unknown>): PassRecord {
  return {
    id: row.id as string,
    bookletId: row.booklet_id as string,
    programId: row.program_id as string,
    agencyId: row.agency_id as string,
    codeHash: row.code_hash as string,
    amountCents: row.amount_cents as number,
    territory: row.territory as string[],
    status: row.status as PassStatus,
    validFrom: row.valid_from as string,
    validUntil: row.valid_until as string,
    toleranceDays: row.tolerance_days as number,
    redeemedAt: (row.redeemed_at as Date | null) ?? null,
    redeemedAtSiteId: (row.redeemed_at_site_id as string | null) ?? null,
  };
}

@Injectable()
export class PassRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * A replayed booklet inserts nothing; a code hash already held by another
   * pass violates the UNIQUE constraint and fails the event (dead letter).
   * The rows travel as one JSON parameter: node-pg would otherwise escape
   * every element of ten arrays in JavaScript.
   */
  async insertIssued(passes: NewPass[]): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO passes (id, booklet_id, program_id, agency_id, code_hash, amount_cents, territory, valid_from, valid_until, tolerance_days)
       SELECT id, "bookletId", "programId", "agencyId", "codeHash", "amountCents", territory, "validFrom", "validUntil", "toleranceDays"
         FROM json_to_recordset($1::json)
           AS d(id uuid, "bookletId" uuid, "programId" uuid, "agencyId" uuid, "codeHash" text, "amountCents" int, territory text[],
                "validFrom" date, "validUntil" date, "toleranceDays" int)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(passes)],
    );
  }

  async findByCodeHash(codeHash: string): Promise<PassRecord | null> {
    const rows: Array<Record<string, unknown>> = await this.tx.manager.query(
      `${SELECT_PASSES} WHERE p.code_hash = $1`,
      [codeHash],
    );
    return rows[0] ? toPass(rows[0]) : null;
  }

  /** Locks the passes in id order, so two requests sharing passes cannot deadlock: the second waits for the first. */
  async lockByCodeHashes(codeHashes: string[]): Promise<PassRecord[]> {
    const { rows } = await this.tx.execute(LOCK_BY_CODE_HASHES, [codeHashes]);
    return rows.map(toPass);
  }

  async lockById(id: string): Promise<PassRecord | null> {
    const rows: Array<Record<string, unknown>> = await this.tx.manager.query(
      `${SELECT_PASSES} WHERE p.id = $1 FOR UPDATE OF p`,
      [id],
    );
    return rows[0] ? toPass(rows[0]) : null;
  }

  async setStatus(ids: string[], from: PassStatus, to: PassStatus): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, affected]: [unknown[], number] = await this.tx.manager.query(
      `UPDATE passes SET status = $3, status_changed_at = now() WHERE id = ANY($1::uuid[]) AND status = $2`,
      [ids, from, to],
    );
    return affected;
  }

  /**
   * Expires, in one statement, up to `limit` issued passes whose last usable
   * Paris day is before `today`. SKIP LOCKED lets a concurrent run or a
   * redemption in progress keep its passes; they are taken next time.
   * Ordered by the partial index's own expression so each batch reads only
   * still-issued passes (ordering by id walked past every pass already
   * expired: quadratic over a large run), and the UPDATE finds the locked rows
   * by ctid, which cannot move while we hold their lock (a join on id
   * hashed the whole table per batch).
   */
  async expireBatch(today: string, limit: number): Promise<ExpiredPass[]> {
    const [rows]: [Array<Record<string, unknown>>, number] = await this.tx.manager.query(
      `WITH due AS (
         SELECT ctid FROM passes WHERE status = 'issued' AND valid_until + tolerance_days < $1::date
         ORDER BY valid_until + tolerance_days LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE passes p SET status = 'expired', status_changed_at = now()
        WHERE p.ctid = ANY(ARRAY(SELECT ctid FROM due)) AND p.status = 'issued'
       RETURNING p.id, p.booklet_id, p.program_id, p.agency_id, p.amount_cents`,
      [today, limit],
    );
    return rows.map((row) => ({
      id: row.id as string,
      bookletId: row.booklet_id as string,
      programId: row.program_id as string,
      agencyId: row.agency_id as string,
      amountCents: row.amount_cents as number,
    }));
  }
}
