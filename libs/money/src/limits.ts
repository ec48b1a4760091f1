/**
 * The most any single amount or program budget may be: one billion euros.
 * Far above any real scheme, and far below where cents stop being exact
 * integers in JavaScript (2^53) or fit a PostgreSQL bigint.
 */
export const MAX_AMOUNT_CENTS = 100_000_000_000;
