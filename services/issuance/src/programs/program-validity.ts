const PARIS_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date in France at that instant, as `YYYY-MM-DD` (programs' dates are Paris dates). */
export function parisDate(instant: Date): string {
  return PARIS_DATE.format(instant);
}

export type IssuableVerdict = 'issuable' | 'closed' | 'not_yet_valid' | 'expired';

/**
 * Whether a booklet may be issued on `today`: the program must be open and
 * `today` within [validFrom, validUntil]. The tolerance only extends
 * redemption, never issuance. ISO dates compare as strings.
 */
export function issuableVerdict(program: { status: string; validFrom: string; validUntil: string }, today: string): IssuableVerdict {
  if (program.status !== 'open') return 'closed';
  if (today < program.validFrom) return 'not_yet_valid';
  if (today > program.validUntil) return 'expired';
  return 'issuable';
}

/** `2026-12-31` → `31/12/2026`, as French readers write dates. */
export function frenchDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${day}/${month}/${year}`;
}
