import { addDays, frenchDate, parisDay } from '@app/calendar';

describe('Paris calendar', () => {
  it('given 23:30 UTC on 31 January, then it is already 1 February in Paris (UTC+1)', () => {
    expect(parisDay(new Date('2026-01-31T23:30:00Z'))).toBe('2026-02-01');
  });

  it('given 21:59 UTC on 30 June, then it is still 30 June in Paris (UTC+2)', () => {
    expect(parisDay(new Date('2026-06-30T21:59:00Z'))).toBe('2026-06-30');
  });

  it('adds days across months and leap years', () => {
    expect(addDays('2024-12-31', 31)).toBe('2025-01-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-01', 0)).toBe('2025-03-01');
  });
});

describe('French dates', () => {
  it('writes an ISO date day first', () => {
    expect(frenchDate('2026-12-31')).toBe('31/12/2026');
  });
});
