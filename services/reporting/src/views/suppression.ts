/** Counts of fewer beneficiaries than this are never shown. */
export const MIN_CELL = 5;
export const SUPPRESSED = '< 5';
export type Cell = number | typeof SUPPRESSED;

export interface Breakdown {
  total: Cell;
  cells: Record<string, Cell>;
}

/**
 * Small-cell suppression of one breakdown whose categories partition the total.
 * Primary: every count under 5 (0 included, so that "nobody" and "a few" look alike).
 * Secondary, against differencing from the total: more of the smallest cells are
 * hidden while only one cell is hidden or the hidden cells sum to 1–4 people.
 */
export function suppressBreakdown(counts: Record<string, number>): Breakdown {
  const categories = Object.keys(counts);
  const total = categories.reduce((sum, c) => sum + counts[c], 0);
  if (total < MIN_CELL) return { total: SUPPRESSED, cells: Object.fromEntries(categories.map((c) => [c, SUPPRESSED])) };
  const hidden = new Set(categories.filter((c) => counts[c] < MIN_CELL));
  const hiddenSum = () => [...hidden].reduce((sum, c) => sum + counts[c], 0);
  while (hidden.size > 0 && (hidden.size === 1 || (hiddenSum() > 0 && hiddenSum() < MIN_CELL))) {
    const next = categories.filter((c) => !hidden.has(c)).sort((a, b) => counts[a] - counts[b])[0];
    // Nothing left to hide with it: the total itself would give the hidden cell away.
    if (next === undefined)
      return { total: SUPPRESSED, cells: Object.fromEntries(categories.map((c) => [c, SUPPRESSED])) };
    hidden.add(next);
  }
  return { total, cells: Object.fromEntries(categories.map((c) => [c, hidden.has(c) ? SUPPRESSED : counts[c]])) };
}
