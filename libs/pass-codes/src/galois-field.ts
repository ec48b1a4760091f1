/**
 * Arithmetic in GF(32), the field whose 32 elements are exactly the Crockford
 * base32 symbols. Addition is XOR; multiplication goes through log tables
 * built from the primitive polynomial x^5 + x^2 + 1.
 */
const PRIMITIVE_POLYNOMIAL = 0b100101;
const ORDER = 31; // multiplicative group size

const exp: number[] = [];
const log: number[] = new Array(32).fill(-1);
for (let i = 0, x = 1; i < ORDER; i++) {
  exp[i] = x;
  log[x] = i;
  x <<= 1;
  if (x & 0b100000) x ^= PRIMITIVE_POLYNOMIAL;
}

export function gfMultiply(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return exp[(log[a] + log[b]) % ORDER];
}

/** α^power, α being the primitive element x. */
export function gfPower(power: number): number {
  return exp[((power % ORDER) + ORDER) % ORDER];
}

export function gfInverse(a: number): number {
  if (a === 0) throw new Error('0 has no inverse');
  return exp[(ORDER - log[a]) % ORDER];
}
