import { isBIC } from 'class-validator';

/**
 * A BIC (ISO 9362) in upper case, as stored: 4 letters of institution, a
 * country code that exists, 2 alphanumerics of location and optionally 3 of
 * branch, as validator.js checks them.
 */
export function isValidBic(value: unknown): value is string {
  // validator.js also takes lower case: BICs are normalised before, never stored so.
  return typeof value === 'string' && value === value.toUpperCase() && isBIC(value);
}
