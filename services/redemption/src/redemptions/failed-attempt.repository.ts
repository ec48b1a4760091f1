import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@app/database';

/** Where failed attempts come from: a site, and the client address at that site (never an address alone). */
export interface AttemptSource {
  siteId: string;
  clientAddress: string;
}

/** Failed attempts allowed in a sliding window: per site, and per client address at that site. */
export interface AttemptLimits {
  perSite: number;
  perAddress: number;
  windowSeconds: number;
}

/**
 * When the source may try again: the moment the limit-th most recent failure
 * (of the site, or of the address at the site) leaves the window; null when
 * neither limit is reached. statement_timestamp(), not now(): inside a
 * transaction now() is its start, which may be long before a lock was granted.
 */
const BLOCKED_UNTIL = preparedStatement(
  'failed-attempts-blocked-until',
  `SELECT greatest(
     (SELECT attempted_at FROM failed_attempts
      WHERE site_id = $1 AND attempted_at > statement_timestamp() - make_interval(secs => $5)
      ORDER BY attempted_at DESC OFFSET $3 - 1 LIMIT 1),
     (SELECT attempted_at FROM failed_attempts
      WHERE site_id = $1 AND client_address = $2 AND attempted_at > statement_timestamp() - make_interval(secs => $5)
      ORDER BY attempted_at DESC OFFSET $4 - 1 LIMIT 1)
   ) + make_interval(secs => $5) AS until`,
);

/** Serialises the grants of one site, whichever instance serves it; held until the transaction ends. */
const LOCK_SITE = preparedStatement(
  'failed-attempts-lock-site',
  `SELECT pg_advisory_xact_lock(hashtextextended('failed-attempts:' || $1, 0))`,
);

/**
 * Records the guesses (reasons, in the request's order) the allowance still
 * covers, and says how many. Run under LOCK_SITE, in a statement of its own:
 * its snapshot then sees every grant committed before the lock was ours.
 */
const GRANT = preparedStatement(
  'failed-attempts-grant',
  `WITH recent AS (
     SELECT client_address = $2 AS same_address FROM failed_attempts
     WHERE site_id = $1 AND attempted_at > statement_timestamp() - make_interval(secs => $5)
   ), allowance AS (
     SELECT greatest(0, least($3 - count(*), $4 - count(*) FILTER (WHERE same_address)))::int AS remaining FROM recent
   ), granted AS (
     INSERT INTO failed_attempts (site_id, client_address, reason, attempted_at)
     SELECT $1, $2, guess.reason, statement_timestamp()
     FROM unnest($6::text[]) WITH ORDINALITY AS guess(reason, n), allowance WHERE guess.n <= allowance.remaining
     RETURNING 1
   )
   SELECT count(*)::int AS granted FROM granted`,
);

@Injectable()
export class FailedAttemptRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** A plain read: in the database, so every instance agrees. */
  async blockedUntil(source: AttemptSource, limits: AttemptLimits): Promise<Date | null> {
    const { rows } = await this.tx.execute<{ until: Date | null }>(BLOCKED_UNTIL, [
      source.siteId,
      source.clientAddress,
      limits.perSite,
      limits.perAddress,
      limits.windowSeconds,
    ]);
    return rows[0]?.until ?? null;
  }

  /**
   * Records as many of the guesses as the allowance covers, first ones first,
   * atomically with every other grant of the site; with when the source may
   * try again once they do not all fit. Must run in a transaction of its own
   * that commits right after: the lock is held until then.
   */
  async grant(
    source: AttemptSource,
    guessReasons: string[],
    limits: AttemptLimits,
  ): Promise<{ granted: number; blockedUntil: Date | null }> {
    this.tx.requireTransaction('Granting failed attempts');
    await this.tx.execute(LOCK_SITE, [source.siteId]);
    const {
      rows: [{ granted }],
    } = await this.tx.execute<{ granted: number }>(GRANT, [
      source.siteId,
      source.clientAddress,
      limits.perSite,
      limits.perAddress,
      limits.windowSeconds,
      guessReasons,
    ]);
    const blockedUntil = granted < guessReasons.length ? await this.blockedUntil(source, limits) : null;
    return { granted, blockedUntil };
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
