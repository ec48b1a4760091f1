import { isIBAN } from 'class-validator';

/**
 * An IBAN in the form it is stored and compared in (upper case, no spaces:
 * see normalizeIban), with its country's length and layout (27 characters in
 * France) and its mod-97 check (ISO 13616), as validator.js checks them.
 */
export function isValidIban(value: unknown): value is string {
  // validator.js also takes spaces, hyphens and lower case: those are normalised before, never stored.
  return typeof value === 'string' && /^[A-Z0-9]+$/.test(value) && isIBAN(value);
}

/** Upper case without spaces, as IBANs are stored and compared. */
export function normalizeIban(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}
