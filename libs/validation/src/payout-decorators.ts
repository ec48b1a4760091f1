import type { ValidationOptions } from 'class-validator';
import { ValidateBy } from 'class-validator';
import { isValidBic } from './bic';
import { isValidIban } from './iban';
import { isValidRna } from './rna';

export function IsIban(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIban',
      validator: {
        validate: isValidIban,
        defaultMessage: () => '$property must be a valid IBAN (upper case, no spaces, mod 97 checked)',
      },
    },
    options,
  );
}

export function IsBic(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBic',
      validator: { validate: isValidBic, defaultMessage: () => '$property must be a BIC of 8 or 11 characters' },
    },
    options,
  );
}

export function IsRna(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRna',
      validator: { validate: isValidRna, defaultMessage: () => '$property must be an RNA number (W and 9 digits)' },
    },
    options,
  );
}
