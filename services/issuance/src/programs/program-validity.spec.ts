import { frenchDate, parisDay } from '@app/calendar';
import { issuableVerdict } from './program-validity';

describe('parisDay (@app/calendar)', () => {
  it('given 23:30 UTC on 31 December in winter, then it is already 1 January in Paris', () => {
    expect(parisDay(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });

  it('given 22:30 UTC on 30 June in summer (UTC+2), then it is already 1 July in Paris', () => {
    expect(parisDay(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
  });

  it('given 21:59 UTC on 30 June, then it is still 30 June in Paris', () => {
    expect(parisDay(new Date('2026-06-30T21:59:00Z'))).toBe('2026-06-30');
  });
});

describe('issuableVerdict', () => {
  const program = { status: 'open', validFrom: '2026-01-01', validUntil: '2026-12-31' };

  it.each([
    ['the first day', '2026-01-01', 'issuable'],
    ['the last day', '2026-12-31', 'issuable'],
    ['the day before the first', '2025-12-31', 'not_yet_valid'],
    ['the day after the last', '2027-01-01', 'expired'],
  ])('given an open program, on %s, then %s', (_when, today, verdict) => {
    expect(issuableVerdict(program, today)).toBe(verdict);
  });

  it('given a closed program within its dates, then closed', () => {
    expect(issuableVerdict({ ...program, status: 'closed' }, '2026-06-01')).toBe('closed');
  });

  it('given 23:30 UTC on the last day, already the next day in Paris, then expired', () => {
    expect(issuableVerdict(program, parisDay(new Date('2026-12-31T23:30:00Z')))).toBe('expired');
  });

  it('given the morning of the first day in Paris while UTC is still the day before, then issuable', () => {
    expect(issuableVerdict(program, parisDay(new Date('2025-12-31T23:30:00Z')))).toBe('issuable');
  });
});

describe('frenchDate', () => {
  it('given an ISO date, then day/month/year', () => {
    expect(frenchDate('2026-12-31')).toBe('31/12/2026');
  });
});
