import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

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

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class RedemptionRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Serialises the requests of one site that share an idempotency key, until the transaction ends. */
  async lockIdempotencyKey(siteId: string, key: string): Promise<void> {
    await this.tx.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`redemption:${siteId}:${key}`]);
  }

  async findRequest(siteId: string, key: string): Promise<{ requestHash: string; response: unknown } | null> {
    const rows: Array<{ request_hash: string; response: unknown }> = await this.tx.manager.query(
      'SELECT request_hash, response FROM redemption_requests WHERE site_id = $1 AND idempotency_key = $2',
      [siteId, key],
    );
    return rows[0] ? { requestHash: rows[0].request_hash, response: rows[0].response } : null;
  }

  async saveRequest(request: { siteId: string; key: string; requestHash: string; redemptionId: string; response: unknown }): Promise<void> {
    await this.tx.manager.query(
      'INSERT INTO redemption_requests (site_id, idempotency_key, request_hash, redemption_id, response) VALUES ($1, $2, $3, $4, $5)',
      [request.siteId, request.key, request.requestHash, request.redemptionId, JSON.stringify(request.response)],
    );
  }

  /**
   * The redemption and its lines. False when the database's unique index
   * finds a live line for one of the passes: the invariant held even if the
   * locks were bypassed. The caller must then roll back.
   */
  async insert(redemption: { id: string; siteId: string; redeemedBy: string; redeemedAt: Date; lines: RedemptionLine[] }): Promise<boolean> {
    const total = redemption.lines.reduce((sum, line) => sum + line.amountCents, 0);
    await this.tx.manager.query('INSERT INTO redemptions (id, site_id, redeemed_by, redeemed_at, total_cents) VALUES ($1, $2, $3, $4, $5)', [
      redemption.id,
      redemption.siteId,
      redemption.redeemedBy,
      redemption.redeemedAt,
      total,
    ]);
    try {
      await this.tx.manager.query(
        `INSERT INTO redemption_lines (redemption_id, pass_id, amount_cents) SELECT $1, unnest($2::uuid[]), unnest($3::int[])`,
        [redemption.id, redemption.lines.map((line) => line.passId), redemption.lines.map((line) => line.amountCents)],
      );
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  async lock(id: string): Promise<LockedRedemption | null> {
    const rows: Array<{ id: string; site_id: string; redeemed_at: Date; cancelled_at: Date | null }> = await this.tx.manager.query(
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
    await this.tx.manager.query('UPDATE redemptions SET cancelled_at = $2, cancelled_by = $3, cancel_reason = $4 WHERE id = $1', [
      id,
      cancelledAt,
      cancelledBy,
      reason,
    ]);
    await this.tx.manager.query('UPDATE redemption_lines SET cancelled_at = $2 WHERE redemption_id = $1', [id, cancelledAt]);
  }
}
