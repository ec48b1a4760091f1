/**
 * SQLSTATE classes and codes meaning the server could not be reached or went
 * away (connection exception, shutdown, starting up, too many connections):
 * the work was not at fault and succeeds once the database is back.
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
// node-postgres reports a lost connection and a pool wait timeout with plain messages and no code.
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /timeout exceeded when trying to connect/i,
  /connection is not queryable|not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  // SQLSTATE 55000 says no more than "object not in prerequisite state": only this message makes it an outage
  // (the database taken offline with ALLOW_CONNECTIONS false, as during maintenance).
  /database ".*" is not currently accepting connections/i,
];

/** Whether an error says the database is unavailable, rather than that the statement or its data is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, message, driverError, cause } = current as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code)))
      return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = driverError ?? cause;
  }
  return false;
}
