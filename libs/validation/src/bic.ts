/**
 * A BIC (ISO 9362): 4 letters of institution, 2 of country, 2 alphanumerics of
 * location, and optionally 3 of branch.
 */
export function isValidBic(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value);
}
