/** What is counted wherever passes are grouped (a program, an agency, a département…). */
export interface PassMetrics {
  bookletsIssued: number;
  /** Booklets with at least one pass redeemed (and not cancelled). */
  bookletsStarted: number;
  passesIssued: number;
  passesRedeemed: number;
  passesVoided: number;
  passesExpired: number;
  /** Issued and not yet redeemed, voided nor expired. */
  passesOutstanding: number;
  issuedCents: number;
  redeemedCents: number;
  voidedCents: number;
  expiredCents: number;
  outstandingCents: number;
  /** Passes redeemed / passes issued, 4 decimals; null when nothing was issued. */
  redemptionRate: number | null;
}

/** The SQL columns behind PassMetrics, over passes aliased `x`. */
export const PASS_METRICS_SQL = `
  count(DISTINCT x.booklet_id) AS booklets_issued,
  count(DISTINCT x.booklet_id) FILTER (WHERE x.status = 'redeemed') AS booklets_started,
  count(*) AS passes_issued,
  count(*) FILTER (WHERE x.status = 'redeemed') AS passes_redeemed,
  count(*) FILTER (WHERE x.status = 'voided') AS passes_voided,
  count(*) FILTER (WHERE x.status = 'expired') AS passes_expired,
  count(*) FILTER (WHERE x.status = 'issued') AS passes_outstanding,
  coalesce(sum(x.amount_cents), 0) AS issued_cents,
  coalesce(sum(x.amount_cents) FILTER (WHERE x.status = 'redeemed'), 0) AS redeemed_cents,
  coalesce(sum(x.amount_cents) FILTER (WHERE x.status = 'voided'), 0) AS voided_cents,
  coalesce(sum(x.amount_cents) FILTER (WHERE x.status = 'expired'), 0) AS expired_cents,
  coalesce(sum(x.amount_cents) FILTER (WHERE x.status = 'issued'), 0) AS outstanding_cents`;

export function redemptionRate(redeemed: number, issued: number): number | null {
  return issued === 0 ? null : Math.round((redeemed / issued) * 10_000) / 10_000;
}

/** Reads PassMetrics from a row of PASS_METRICS_SQL; a missing group (outer join) counts zero. */
export function passMetricsOf(row: Record<string, unknown>): PassMetrics {
  const n = (column: string) => Number(row[column] ?? 0);
  return {
    bookletsIssued: n('booklets_issued'),
    bookletsStarted: n('booklets_started'),
    passesIssued: n('passes_issued'),
    passesRedeemed: n('passes_redeemed'),
    passesVoided: n('passes_voided'),
    passesExpired: n('passes_expired'),
    passesOutstanding: n('passes_outstanding'),
    issuedCents: n('issued_cents'),
    redeemedCents: n('redeemed_cents'),
    voidedCents: n('voided_cents'),
    expiredCents: n('expired_cents'),
    outstandingCents: n('outstanding_cents'),
    redemptionRate: redemptionRate(n('passes_redeemed'), n('passes_issued')),
  };
}
