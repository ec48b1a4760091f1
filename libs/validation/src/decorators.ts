import type { ValidationOptions } from 'class-validator';
import { ValidateBy } from 'class-validator';
import { isCalendarDate } from './calendar-date';
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

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: () => '$property doit être une date qui existe, au format AAAA-MM-JJ',
      },
    },
    options,
  );
}
