/**
 * Codes of the 101 départements: 01–95 (20 split into 2A/2B for Corsica) and
 * the five overseas départements 971–974 and 976.
 */
const DEPARTEMENT_CODE = /^(0[1-9]|1\d|[3-8]\d|9[0-5]|2[1-9]|2A|2B|97[1-46])$/;

export function isDepartementCode(value: unknown): value is string {
  return typeof value === 'string' && DEPARTEMENT_CODE.test(value);
}
