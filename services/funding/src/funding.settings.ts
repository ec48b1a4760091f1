import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Length, Matches } from 'class-validator';

/**
 * Development defaults for the paying agent's own account: a well-known
 * documentation IBAN and a name that says so, never a real account.
 */
export const DEVELOPMENT_OPERATOR = {
  name: 'Opérateur pass numérique (DEV, compte fictif)',
  iban: 'FR7630006000011234567890189',
  bic: 'AGRIFRPPXXX',
};

/** Funding's own environment variables (the common ones are in ServiceEnv). */
export class FundingSettings {
  /** Whether this instance runs the monthly settlement (POST /settlement-runs works either way). */
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  SETTLEMENT_SCHEDULE_ENABLED: boolean = true;

  /** The operator, paying agent of the scheme: the debtor of every payment file. */
  @IsString()
  @Length(1, 70)
  OPERATOR_NAME: string = DEVELOPMENT_OPERATOR.name;

  @Matches(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, { message: 'OPERATOR_IBAN must be an IBAN without spaces' })
  OPERATOR_IBAN: string = DEVELOPMENT_OPERATOR.iban;

  @Matches(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/, { message: 'OPERATOR_BIC must be a BIC (8 or 11 characters)' })
  OPERATOR_BIC: string = DEVELOPMENT_OPERATOR.bic;
}
