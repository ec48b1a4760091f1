/**
 * An IBAN: country code, two check digits, up to 30 alphanumerics, valid when
 * the rearranged number is 1 mod 97 (ISO 13616). Spaces are for reading only:
 * pass the normalised form (see normalizeIban).
 */
export function isValidIban(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(value)) return false;
  const rearranged = value.slice(4) + value.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** Upper case without spaces, as IBANs are stored and compared. */
export function normalizeIban(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}
