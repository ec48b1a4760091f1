// Written here on purpose: no package pairs Crockford base32 with a check symbol that catches every typo and adjacent swap (GF(32), proved in the spec).
import { createHash, randomBytes } from 'node:crypto';
import { gfInverse, gfMultiply, gfPower } from './galois-field';

/** Crockford base32: no I, L, O, U, so a code read aloud or typed is rarely ambiguous. */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 16 symbols of 5 bits: 80 bits from a cryptographic source. */
export const DATA_LENGTH = 16;
export const CODE_LENGTH = DATA_LENGTH + 1;

const VALUE = new Map([...ALPHABET].map((symbol, value) => [symbol, value]));

/**
 * The check symbol makes Σ symbolᵢ·αⁱ = 0 over the 17 positions in GF(32).
 * A single wrong symbol adds e·αⁱ ≠ 0; swapping two neighbours adds
 * (a+b)·αⁱ·(1+α) ≠ 0 when a ≠ b: both are always detected, check symbol included.
 */
function checkSymbolValue(data: number[]): number {
  let sum = 0;
  data.forEach((value, i) => (sum ^= gfMultiply(value, gfPower(i))));
  return gfMultiply(sum, gfInverse(gfPower(DATA_LENGTH)));
}

function syndrome(values: number[]): number {
  return values.reduce((sum, value, i) => sum ^ gfMultiply(value, gfPower(i)), 0);
}

/** Groups of four for reading: K7QM-3XTA-9HWP-2DRC-X (the last symbol is the check). */
export function formatPassCode(canonical: string): string {
  return canonical.match(/.{1,4}/g)!.join('-');
}

/** A new code, formatted for print. */
export function generatePassCode(): string {
  const bytes = randomBytes(10); // 80 bits, read 5 at a time
  const data: number[] = [];
  let bits = 0;
  let buffer = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      data.push((buffer >> bits) & 31);
    }
  }
  const symbols = [...data, checkSymbolValue(data)].map((value) => ALPHABET[value]).join('');
  return formatPassCode(symbols);
}

export type ParsedPassCode = { valid: true; canonical: string } | { valid: false; reason: 'format' | 'check' };

/**
 * Reads what a person typed: case, dashes and spaces do not matter, O reads
 * as 0 and I or L as 1. `format` means not 17 base32 symbols, `check` a typo.
 */
export function parsePassCode(input: string): ParsedPassCode {
  const canonical = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (canonical.length !== CODE_LENGTH || [...canonical].some((symbol) => !VALUE.has(symbol))) {
    return { valid: false, reason: 'format' };
  }
  const values = [...canonical].map((symbol) => VALUE.get(symbol)!);
  return syndrome(values) === 0 ? { valid: true, canonical } : { valid: false, reason: 'check' };
}

/** What events and other services know of a code: SHA-256 of its canonical form (80 bits make guessing hopeless). */
export function hashPassCode(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}
