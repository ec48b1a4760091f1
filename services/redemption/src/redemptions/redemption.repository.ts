import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@app/database';
import { IdempotencyClaims, IdempotencyKey } from '@app/platform';

export interface RedemptionLine {
  passId: string;
  bookletId: string;
  programId: string;
  agencyId: string;
  amountCents: number;
}

export interface LockedRedemption {
  id: string;
  siteId: string;
  redeemedAt: Date;
  cancelledAt: Date | null;
  lines: RedemptionLine[];
}

export interface SiteRedemptionRow {
  id: string;
  redeemed_at: Date;
  total_cents: number;
  cancelled_at: Date | null;
  pass_count: number;
}

const UNIQUE_VIOLATION = '23505';

const CLAIM_KEY = preparedStatement(
  'redemption-claim-key',
  `INSERT INTO redemption_requests (site_id, idempotency_key, request_hash) VALUES ($1, $2, $3)
   ON CONFLICT (site_id, idempotency_key) DO NOTHING RETURNING true`,
);

const RECORD = preparedStatement(
  'redemption-record',
  `WITH redemption AS (
     INSERT INTO redemptions (id, site_id, redeemed_by, redeemed_at, total_cents) VALUES ($1, $2, $3, $4, $5)
   ), lines AS (
     INSERT INTO redemption_lines (redemption_id, pass_id, amount_cents) SELECT $1, unnest($6::uuid[]), unnest($7::int[])
   ), answer AS (
     UPDATE redemption_requests SET redemption_id = $1, response = $9 WHERE site_id = $2 AND idempotency_key = $8
   ), redeemed AS (
     UPDATE passes SET status = 'redeemed', status_changed_at = now() WHERE id = ANY($6::uuid[]) AND status = 'issued' RETURNING id
   )
   SELECT count(*)::int AS redeemed FROM redeemed`,
);

/** What a replay needs of the request holding a key: the first answer, and whether its redemption was cancelled since. */
export interface HeldRedemption {
  response: unknown;
  redemptionId: string;
  cancelledAt: Date | null;
}

/** A site's idempotency keys (`redemption_requests`), each with the answer its redemption gave. */
@Injectable()
export class RedemptionRepository implements IdempotencyClaims<HeldRedemption> {
  constructor(private readonly tx: TransactionHost) {}

  async claim(siteId: string, key: IdempotencyKey, fingerprint: string): Promise<boolean> {
    const { rows } = await this.tx.execute(CLAIM_KEY, [siteId, key, fingerprint]);
    return rows.length === 1;
  }

  async holder(siteId: string, key: IdempotencyKey): Promise<({ fingerprint: string } & HeldRedemption) | null> {
    const rows: Array<{ request_hash: string; response: unknown; redemption_id: string; cancelled_at: Date | null }> =
      await this.tx.manager.query(
        `SELECT q.request_hash, q.response, q.redemption_id, r.cancelled_at
         FROM redemption_requests q JOIN redemptions r ON r.id = q.redemption_id
         WHERE q.site_id = $1 AND q.idempotency_key = $2`,
        [siteId, key],
      );
    return rows[0]
      ? {
          fingerprint: rows[0].request_hash,
          response: rows[0].response,
          redemptionId: rows[0].redemption_id,
          cancelledAt: rows[0].cancelled_at,
        }
      : null;
  }

  /**
   * Writes a redemption in one statement (each round trip counts at the
   * counter): the redemption, its lines, its passes now redeemed, and the
   * answer kept for its idempotency key. False when one of the passes was no
   * longer issued, or the unique index found a live line for it: the
   * invariant held even if the locks were bypassed. The caller must then roll back.
   */
  async record(
    redemption: { id: string; siteId: string; redeemedBy: string; redeemedAt: Date; lines: RedemptionLine[] },
    idempotencyKey: IdempotencyKey,
    response: unknown,
  ): Promise<boolean> {
    const passIds = redemption.lines.map((line) => line.passId);
    try {
      const {
        rows: [{ redeemed }],
      } = await this.tx.execute<{ redeemed: number }>(RECORD, [
        redemption.id,
        redemption.siteId,
        redemption.redeemedBy,
        redemption.redeemedAt,
        redemption.lines.reduce((sum, line) => sum + line.amountCents, 0),
        passIds,
        redemption.lines.map((line) => line.amountCents),
        idempotencyKey,
        JSON.stringify(response),
      ]);
      return redeemed === passIds.length;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  /** A site's redemptions in [from, to), newest first, with the number of passes each; and how many there are in all. */
  async listBySite(
    siteId: string,
    from: Date,
    to: Date,
    limit: number,
    offset: number,
  ): Promise<{ rows: SiteRedemptionRow[]; total: number }> {
    const rows: SiteRedemptionRow[] = await this.tx.manager.query(
      `SELECT r.id, r.redeemed_at, r.total_cents, r.cancelled_at, (SELECT count(*)::int FROM redemption_lines l WHERE l.redemption_id = r.id) AS pass_count
       FROM redemptions r WHERE r.site_id = $1 AND r.redeemed_at >= $2 AND r.redeemed_at < $3
       ORDER BY r.redeemed_at DESC, r.id DESC LIMIT $4 OFFSET $5`,
      [siteId, from, to, limit, offset],
    );
    const [{ total }] = await this.tx.manager.query(
      'SELECT count(*)::int AS total FROM redemptions WHERE site_id = $1 AND redeemed_at >= $2 AND redeemed_at < $3',
      [siteId, from, to],
    );
    return { rows, total };
  }

  async lock(id: string): Promise<LockedRedemption | null> {
    const rows: Array<{ id: string; site_id: string; redeemed_at: Date; cancelled_at: Date | null }> =
      await this.tx.manager.query(
        'SELECT id, site_id, redeemed_at, cancelled_at FROM redemptions WHERE id = $1 FOR UPDATE',
        [id],
      );
    if (!rows[0]) return null;
    const lines: Array<Record<string, unknown>> = await this.tx.manager.query(
      `SELECT l.pass_id, l.amount_cents, p.booklet_id, p.program_id, p.agency_id
       FROM redemption_lines l JOIN passes p ON p.id = l.pass_id WHERE l.redemption_id = $1 ORDER BY l.pass_id`,
      [id],
    );
    return {
      id: rows[0].id,
      siteId: rows[0].site_id,
      redeemedAt: rows[0].redeemed_at,
      cancelledAt: rows[0].cancelled_at,
      lines: lines.map((line) => ({
        passId: line.pass_id as string,
        amountCents: line.amount_cents as number,
        bookletId: line.booklet_id as string,
        programId: line.program_id as string,
        agencyId: line.agency_id as string,
      })),
    };
  }

  async cancel(id: string, cancelledAt: Date, cancelledBy: string, reason: string): Promise<void> {
    await this.tx.manager.query(
      'UPDATE redemptions SET cancelled_at = $2, cancelled_by = $3, cancel_reason = $4 WHERE id = $1',
      [id, cancelledAt, cancelledBy, reason],
    );
    await this.tx.manager.query('UPDATE redemption_lines SET cancelled_at = $2 WHERE redemption_id = $1', [
      id,
      cancelledAt,
    ]);
  }
}
