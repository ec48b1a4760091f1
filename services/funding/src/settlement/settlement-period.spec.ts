import { parisDay } from '@app/calendar';
import { periodOf, previousPeriod } from './settlement-period';

describe('settlement periods (calendar months, Europe/Paris)', () => {
  it('given October 2026, then it runs from midnight Paris on 1 October (UTC+2) to midnight Paris on 1 November (UTC+1)', () => {
    const october = periodOf('2026-10');
    expect(october.start.toISOString()).toBe('2026-09-30T22:00:00.000Z');
    expect(october.end.toISOString()).toBe('2026-10-31T23:00:00.000Z');
  });

  it('given December, then it ends at midnight Paris on 1 January of the next year', () => {
    expect(periodOf('2026-12').end.toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it('given an instant just after midnight Paris on 1 November, then the previous period is October, even though it is still 31 October in UTC', () => {
    expect(previousPeriod(new Date('2026-10-31T23:30:00Z'))).toBe('2026-10');
    expect(previousPeriod(new Date('2026-10-31T22:30:00Z'))).toBe('2026-09');
    expect(previousPeriod(new Date('2027-01-15T12:00:00Z'))).toBe('2026-12');
    expect(parisDay(new Date('2026-10-31T23:30:00Z'))).toBe('2026-11-01');
  });
});
