/** A valid SIRET (Luhn) made from a number, so tests can register as many organisations as they need. */
export function siretFor(seed: number): string {
  const body = String(100_000_000_000 + seed)
    .padStart(13, '0')
    .slice(-13);
  for (let check = 0; check <= 9; check++) {
    const candidate = `${body}${check}`;
    const sum = [...candidate].reverse().reduce((total, char, i) => {
      let digit = Number(char);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      return total + digit;
    }, 0);
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable: one check digit always fits');
}
