/** `YYYY-MM-DD` with a month and day in range; whether the day exists is checked apart. */
const CALENDAR_DATE = /^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The JSON schema pattern of a calendar date, for the documents derived from the decorators. */
export const CALENDAR_DATE_PATTERN = CALENDAR_DATE.source;

/**
 * A day of the calendar written `YYYY-MM-DD` that exists: 2024-02-29 is one,
 * 2025-02-30 and 2030-02-31 are not (PostgreSQL would refuse them later).
 */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !CALENDAR_DATE.test(value)) return false;
  // A day that does not exist rolls over into the next month in the Date constructor.
  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}
