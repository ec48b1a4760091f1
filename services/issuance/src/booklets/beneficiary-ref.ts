import { randomInt } from 'node:crypto';
import { ALPHABET } from '@app/pass-codes';

/**
 * A pseudonymous beneficiary reference: `BEN-` and 10 Crockford symbols (50
 * random bits). It links a booklet to nobody outside the agency's own files.
 */
export function newBeneficiaryRef(): string {
  return `BEN-${Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
}
