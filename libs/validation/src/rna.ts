/** An association's number in the Répertoire national des associations: W followed by 9 digits. */
export function isValidRna(value: unknown): value is string {
  return typeof value === 'string' && /^W\d{9}$/.test(value);
}
