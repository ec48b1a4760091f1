const PARIS = 'Europe/Paris';

/** The Paris wall-clock date parts of an instant. */
function parisParts(at: Date): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
} {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: PARIS,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
    .formatToParts(at)
    .reduce<Record<string, number>>(
      (acc, part) => (part.type === 'literal' ? acc : { ...acc, [part.type]: Number(part.value) }),
      {},
    );
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

/** The instant of midnight, Paris time, starting a given day (never inside a DST change, which happens at 2-3 am). */
export function parisMidnight(year: number, month: number, day = 1): Date {
  const wallAsUtc = Date.UTC(year, month - 1, day);
  const p = parisParts(new Date(wallAsUtc));
  const offsetMs = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - wallAsUtc;
  return new Date(wallAsUtc - offsetMs);
}

export interface SettlementPeriod {
  /** `YYYY-MM` */
  period: string;
  start: Date;
  /** Exclusive: the first instant of the next month, Paris time. */
  end: Date;
}

export function periodOf(period: string): SettlementPeriod {
  const [year, month] = period.split('-').map(Number);
  return {
    period,
    start: parisMidnight(year, month),
    end: month === 12 ? parisMidnight(year + 1, 1) : parisMidnight(year, month + 1),
  };
}

/** The calendar month before the one `now` falls in, in Paris. */
export function previousPeriod(now: Date): string {
  const { year, month } = parisParts(now);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}
