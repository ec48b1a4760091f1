// Written here on purpose: money libraries' allocate() hands leftover cents in list order; the funders' rule is the largest remainder, ties to the first line.
/** A funding line as the splitter needs it: its id, its share, and its rank in the program (ties go to the first). */
export interface ShareLine {
  id: string;
  shareBasisPoints: number;
  position: number;
}

/**
 * Splits an amount across funding lines by the largest-remainder rule: each
 * line gets the floor of its exact share, then the cents left go one by one
 * to the largest fractional parts, ties to the lower position. The parts
 * always sum to the amount, and the same amount always splits the same way.
 */
export function splitAmount(amountCents: number, lines: ShareLine[]): Map<string, number> {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0)
    throw new Error(`Cannot split ${amountCents}: amounts are non-negative integer cents`);
  const totalShares = lines.reduce((sum, line) => sum + line.shareBasisPoints, 0);
  if (totalShares !== 10_000) throw new Error(`Funding line shares sum to ${totalShares}, not 10000`);
  const parts = lines.map((line) => {
    const exact = BigInt(amountCents) * BigInt(line.shareBasisPoints);
    return { line, cents: Number(exact / 10_000n), remainder: Number(exact % 10_000n) };
  });
  let left = amountCents - parts.reduce((sum, part) => sum + part.cents, 0);
  const byRemainder = [...parts].sort((a, b) => b.remainder - a.remainder || a.line.position - b.line.position);
  for (const part of byRemainder) {
    if (left === 0) break;
    part.cents += 1;
    left -= 1;
  }
  return new Map(parts.map((part) => [part.line.id, part.cents]));
}

/**
 * Money that moves pass by pass is split pass by pass, so a pass's value is
 * attributed the same way when it is allocated, issued, redeemed or released.
 */
export function splitPerPass(faceValueCents: number, passCount: number, lines: ShareLine[]): Map<string, number> {
  const perPass = splitAmount(faceValueCents, lines);
  return new Map([...perPass].map(([lineId, cents]) => [lineId, cents * passCount]));
}

/**
 * Money that will be spent pass by pass (a budget, an allocation) is split the
 * same way: every whole pass as one pass splits, and only the cents beyond the
 * last whole pass by the largest remainder. So whatever the shares, a budget
 * worth N passes can always be allocated as N passes on every line.
 */
export function splitByPasses(amountCents: number, faceValueCents: number, lines: ShareLine[]): Map<string, number> {
  const passCount = Math.floor(amountCents / faceValueCents);
  return addSplits([
    splitPerPass(faceValueCents, passCount, lines),
    splitAmount(amountCents - passCount * faceValueCents, lines),
  ]);
}

export function addSplits(splits: Array<Map<string, number>>): Map<string, number> {
  const total = new Map<string, number>();
  for (const split of splits) for (const [lineId, cents] of split) total.set(lineId, (total.get(lineId) ?? 0) + cents);
  return total;
}
