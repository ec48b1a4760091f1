import { isISO8601 } from 'class-validator';
import { isCanonicalTimestamp, isStrictIsoTimestamp } from './iso-timestamp';

describe('isCanonicalTimestamp', () => {
  const strict = (value: unknown) => isISO8601(value, { strict: true });

  it('given timestamps written by toISOString, then it proves them valid', () => {
    for (const ms of [0, 951782400000, 1772323200000, Date.UTC(2026, 10, 22, 23, 59, 59, 999), Date.UTC(2400, 1, 29)]) {
      const value = new Date(ms).toISOString();
      expect({ value, proven: isCanonicalTimestamp(value) }).toEqual({ value, proven: true });
    }
  });

  it('given tricky dates and shapes, then it proves only what validator strict accepts, and the combined check always agrees with it', () => {
    const cases = [
      '2024-02-29T10:00:00.000Z',
      '2023-02-29T10:00:00.000Z',
      '2100-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-04-30T23:59:59Z',
      '2026-12-31T23:59:59.123456Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-32T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:60Z',
      '2026-01-01t10:00:00Z',
      '2026-01-01T10:00:00z',
      '2026-01-01T10:00:00+01:00',
      '2026-01-01T10:00:00',
      '2026-01-01',
      '2026-01-01 10:00:00Z',
      '0999-01-01T00:00:00Z',
      '1000-01-01T00:00:00Z',
      '+2026-01-01T00:00:00Z',
      '2026-001T00:00:00Z',
      '2026-01-01T10:00:00.Z',
      '2026-01-01T10:00:00,5Z',
      ' 2026-01-01T10:00:00Z',
      '2026-01-01T10:00:00Z\n',
      '',
      'now',
      20260101,
      null,
      undefined,
      {},
    ];
    for (const value of cases) {
      const verdict = strict(value as string);
      if (isCanonicalTimestamp(value)) expect({ value, validator: verdict }).toEqual({ value, validator: true });
      expect({ value, combined: isStrictIsoTimestamp(value) }).toEqual({ value, combined: verdict });
    }
  });

  it('given every day of four years around leap years, then its verdict is validator strict verdict', () => {
    for (const year of [1900, 2000, 2024, 2026]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 0; day <= 32; day++) {
          const value = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:34:56.789Z`;
          expect({ value, proven: isCanonicalTimestamp(value) }).toEqual({ value, proven: strict(value) });
        }
      }
    }
  });
});
