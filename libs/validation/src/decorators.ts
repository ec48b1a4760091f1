import type { ValidationOptions } from 'class-validator';
import { ValidateBy } from 'class-validator';
import { isValidBic } from './bic';
import { isCalendarDate } from './calendar-date';
import { isDepartementCode } from './departement';
import { isValidIban } from './iban';
import { isValidRna } from './rna';
import { isValidSiret } from './siret';

/** A class-validator decorator from one of this library's checks; `name` is what the documents' converters key on. */
function checkedBy(name: string, validate: (value: unknown) => boolean, message: string) {
  return (options?: ValidationOptions): PropertyDecorator =>
    ValidateBy({ name, validator: { validate, defaultMessage: () => message } }, options);
}

export const IsSiret = checkedBy('isSiret', isValidSiret, '$property must be a valid SIRET (14 digits, Luhn checked)');
export const IsDepartementCode = checkedBy(
  'isDepartementCode',
  isDepartementCode,
  '$property must be a département code such as 31, 2A or 973',
);
export const IsCalendarDate = checkedBy(
  'isCalendarDate',
  isCalendarDate,
  '$property doit être une date qui existe, au format AAAA-MM-JJ',
);
export const IsIban = checkedBy(
  'isIban',
  isValidIban,
  '$property must be a valid IBAN (upper case, no spaces, mod 97 checked)',
);
export const IsBic = checkedBy('isBic', isValidBic, '$property must be a BIC of 8 or 11 characters');
export const IsRna = checkedBy('isRna', isValidRna, '$property must be an RNA number (W and 9 digits)');
