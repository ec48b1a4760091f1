import { isDepartementCode } from '@app/validation';

/**
 * The département of a commune from its INSEE code: the first two characters
 * (2A/2B in Corsica), or three overseas (971…976). Null when the code names no
 * département of the scheme (e.g. 975 Saint-Pierre-et-Miquelon).
 */
export function departementOfInseeCode(inseeCode: string): string | null {
  if (!/^(\d{5}|2[AB]\d{3})$/.test(inseeCode)) return null;
  const code = inseeCode.startsWith('97') ? inseeCode.slice(0, 3) : inseeCode.slice(0, 2);
  return isDepartementCode(code) ? code : null;
}
