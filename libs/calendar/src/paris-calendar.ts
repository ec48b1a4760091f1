/** Validity dates are calendar days in Europe/Paris: a pass valid until 31 Jan is usable until 23:59:59 Paris time. */
const PARIS_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Paris calendar day of an instant, as YYYY-MM-DD. */
export function parisDay(instant: Date): string {
  return PARIS_DAY.format(instant);
}

/** A calendar day plus some days, as YYYY-MM-DD. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** `2026-12-31` → `31/12/2026`, as French readers write dates. */
export function frenchDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${day}/${month}/${year}`;
}
