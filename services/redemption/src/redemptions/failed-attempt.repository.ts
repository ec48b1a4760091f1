import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@app/database';

/** Asked before every redemption and check. */
const BLOCKED_UNTIL = preparedStatement(
  'failed-attempts-blocked-until',
  `SELECT greatest(
     (SELECT attempted_at FROM failed_attempts WHERE site_id = $1 AND attempted_at > now() - make_interval(secs => $4)
      ORDER BY attempted_at DESC OFFSET $3 - 1 LIMIT 1),
     (SELECT attempted_at FROM failed_attempts WHERE client_address = $2 AND attempted_at > now() - make_interval(secs => $4)
      ORDER BY attempted_at DESC OFFSET $3 - 1 LIMIT 1)
   ) + make_interval(secs => $4) AS until`,
);

@Injectable()
export class FailedAttemptRepository {
  constructor(private readonly tx: TransactionHost) {}

  async record(siteId: string, clientAddress: string, reason: string): Promise<void> {
    await this.tx.manager.query('INSERT INTO failed_attempts (site_id, client_address, reason) VALUES ($1, $2, $3)', [
      siteId,
      clientAddress,
      reason,
    ]);
  }

  /**
   * When the caller may try again: the moment the `limit`-th most recent
   * failure (by site or by address) leaves the sliding window; null when
   * fewer than `limit` failures are in it. In the database, so every instance agrees.
   */
  async blockedUntil(
    siteId: string,
    clientAddress: string,
    limit: number,
    windowSeconds: number,
  ): Promise<Date | null> {
    const { rows } = await this.tx.execute<{ until: Date | null }>(BLOCKED_UNTIL, [
      siteId,
      clientAddress,
      limit,
      windowSeconds,
    ]);
    return rows[0]?.until ?? null;
  }

  async countForSite(
    siteId: string,
    windowSeconds: number,
  ): Promise<{ inWindow: number; total: number; last: Date | null }> {
    const rows: Array<{ in_window: string; total: string; last: Date | null }> = await this.tx.manager.query(
      `SELECT count(*) FILTER (WHERE attempted_at > now() - make_interval(secs => $2)) AS in_window, count(*) AS total, max(attempted_at) AS last
       FROM failed_attempts WHERE site_id = $1`,
      [siteId, windowSeconds],
    );
    return { inWindow: Number(rows[0].in_window), total: Number(rows[0].total), last: rows[0].last };
  }
}
