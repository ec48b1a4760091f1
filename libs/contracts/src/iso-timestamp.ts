import { isISO8601 } from 'class-validator';

/** What Date.prototype.toISOString writes: every timestamp our services produce. */
const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * True for a canonical UTC timestamp on a real calendar day, which
 * `isISO8601(value, { strict: true })` accepts too; false means "not proven",
 * not "invalid". It spares validator's large regular expression and its
 * Date-based day check, which cost about 1.5 µs per field on every event consumed.
 */
export function isCanonicalTimestamp(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = CANONICAL.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The same verdict as `isISO8601(value, { strict: true })`, quickly for canonical timestamps. */
export function isStrictIsoTimestamp(value: unknown): boolean {
  return isCanonicalTimestamp(value) || isISO8601(value, { strict: true });
}
