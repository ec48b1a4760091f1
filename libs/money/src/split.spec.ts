import fc from 'fast-check';
import type { ShareLine } from '@app/money';
import { addSplits, splitAmount, splitByPasses, splitPerPass } from '@app/money';

const lines = (...shares: number[]): ShareLine[] =>
  shares.map((shareBasisPoints, position) => ({ id: `line-${position}`, shareBasisPoints, position }));
const parts = (split: Map<string, number>) => [...split.values()];

describe('splitting an amount across funding lines (largest remainder)', () => {
  it('given three lines of one third, when 1000 cents are split, then 334/333/333 with the extra cent always on the same line', () => {
    expect(parts(splitAmount(1000, lines(3334, 3333, 3333)))).toEqual([334, 333, 333]);
    expect(parts(splitAmount(1000, lines(3333, 3334, 3333)))).toEqual([333, 334, 333]);
    // Equal remainders: the lower position wins, deterministically.
    expect(parts(splitAmount(1, lines(5000, 5000)))).toEqual([1, 0]);
    expect(parts(splitAmount(1000, lines(3333, 3333, 3334)))).toEqual([333, 333, 334]);
  });

  it('given State 50 % and département 50 %, then an even amount splits evenly', () => {
    expect(parts(splitAmount(1000, lines(5000, 5000)))).toEqual([500, 500]);
  });

  it('refuses shares that do not sum to 10000 and amounts that are not integer cents', () => {
    expect(() => splitAmount(1000, lines(5000, 4999))).toThrow('9999');
    expect(() => splitAmount(10.5, lines(10_000))).toThrow('integer cents');
    expect(() => splitAmount(-1, lines(10_000))).toThrow('integer cents');
  });

  it('always sums to the whole, never gives a line more than one cent beyond its exact share, and is deterministic', () => {
    const shares = fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }).map((weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      const bp = weights.map((w) => Math.floor((w * 10_000) / total));
      bp[0] += 10_000 - bp.reduce((a, b) => a + b, 0);
      return bp.filter((b) => b > 0).length === bp.length ? bp : [10_000];
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), shares, (amount, bp) => {
        const split = splitAmount(amount, lines(...bp));
        expect(parts(split).reduce((a, b) => a + b, 0)).toBe(amount);
        bp.forEach((share, i) => {
          const exact = (amount * share) / 10_000;
          expect(Math.abs(split.get(`line-${i}`)! - exact)).toBeLessThan(1);
        });
        expect(splitAmount(amount, lines(...bp))).toEqual(split);
      }),
    );
  });

  it('splits per pass so a booklet of n passes is n times one pass, and sums add up', () => {
    const three = lines(3334, 3333, 3333);
    expect(parts(splitPerPass(1000, 10, three))).toEqual([3340, 3330, 3330]);
    expect(addSplits([splitAmount(1000, three), splitAmount(1000, three)])).toEqual(splitPerPass(1000, 2, three));
  });

  it('given 33.33/33.33/33.34 % of 1,000.01 €, then a budget split by passes can be allocated to its last pass', () => {
    const thirds = lines(3333, 3333, 3334);
    const budget = splitByPasses(100_001, 1000, thirds);
    expect(parts(budget)).toEqual([33_300, 33_300, 33_401]);
    const allPasses = splitPerPass(1000, 100, thirds);
    for (const [line, cents] of allPasses) expect(cents).toBeLessThanOrEqual(budget.get(line)!);
  });

  it('always leaves room on every line for every whole pass of the amount, and sums to the whole', () => {
    const shares = fc
      .array(fc.integer({ min: 1, max: 9_999 }), { minLength: 1, maxLength: 5 })
      .map((cuts) => [...new Set(cuts)].sort((a, b) => a - b))
      .map((cuts) => [...cuts, 10_000].map((cut, i, all) => cut - (i === 0 ? 0 : all[i - 1])));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        shares,
        (amount, face, bp) => {
          const split = splitByPasses(amount, face, lines(...bp));
          expect(parts(split).reduce((a, b) => a + b, 0)).toBe(amount);
          const passes = splitPerPass(face, Math.floor(amount / face), lines(...bp));
          for (const [line, cents] of passes) expect(cents).toBeLessThanOrEqual(split.get(line)!);
        },
      ),
    );
  });
});
