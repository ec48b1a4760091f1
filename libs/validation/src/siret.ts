/** SIREN of La Poste: its establishments' SIRETs follow a digit-sum rule instead of Luhn. */
const LA_POSTE_SIREN = '356000000';

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A SIRET is 14 digits with a Luhn check (La Poste's establishments excepted). */
export function isValidSiret(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{14}$/.test(value)) return false;
  if (value.startsWith(LA_POSTE_SIREN) && value !== `${LA_POSTE_SIREN}00048`) {
    const digitSum = [...value].reduce((sum, d) => sum + Number(d), 0);
    return digitSum % 5 === 0;
  }
  return luhnValid(value);
}
