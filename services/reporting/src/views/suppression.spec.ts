import { SUPPRESSED, suppressBreakdown } from './suppression';

describe('small-cell suppression', () => {
  it('shows every cell of 5 or more when none is small', () => {
    expect(suppressBreakdown({ a: 5, b: 12 })).toEqual({ total: 17, cells: { a: 5, b: 12 } });
  });

  it('hides a cell under 5, and the next smallest so the total cannot give it away', () => {
    expect(suppressBreakdown({ a: 3, b: 40, c: 7 })).toEqual({
      total: 50,
      cells: { a: SUPPRESSED, b: 40, c: SUPPRESSED },
    });
  });

  it('hides zero like any small count', () => {
    expect(suppressBreakdown({ a: 0, b: 20, c: 30 }).cells.a).toBe(SUPPRESSED);
  });

  it('keeps hiding while the hidden cells sum to 1–4 people', () => {
    // a + b = 3 would reveal "3 people in a or b": c is hidden too.
    expect(suppressBreakdown({ a: 1, b: 2, c: 6, d: 50 })).toEqual({
      total: 59,
      cells: { a: SUPPRESSED, b: SUPPRESSED, c: SUPPRESSED, d: 50 },
    });
  });

  it('hides everything when the total is under 5', () => {
    expect(suppressBreakdown({ a: 4, b: 0 })).toEqual({ total: SUPPRESSED, cells: { a: SUPPRESSED, b: SUPPRESSED } });
  });

  it('never shows a number under 5, whatever the counts', () => {
    for (let i = 0; i < 500; i++) {
      const counts = Object.fromEntries(['a', 'b', 'c', 'd'].map((c) => [c, Math.floor(Math.random() * 12)]));
      const { total, cells } = suppressBreakdown(counts);
      for (const cell of [total, ...Object.values(cells)])
        if (cell !== SUPPRESSED) expect(cell).toBeGreaterThanOrEqual(5);
      const hidden = Object.keys(cells).filter((c) => cells[c] === SUPPRESSED);
      // One hidden cell alone could be recomputed from the total.
      if (total !== SUPPRESSED) expect(hidden.length === 1).toBe(false);
    }
  });
});
