import type { ValidationOptions } from 'class-validator';
import { ValidateBy } from 'class-validator';
import { isDepartementCode } from './departement';
import { isValidSiret } from './siret';

export function IsSiret(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSiret',
      validator: {
        validate: isValidSiret,
        defaultMessage: () => '$property must be a valid SIRET (14 digits, Luhn checked)',
      },
    },
    options,
  );
}

export function IsDepartementCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDepartementCode',
      validator: {
        validate: isDepartementCode,
        defaultMessage: () => '$property must be a département code such as 31, 2A or 973',
      },
    },
    options,
  );
}
