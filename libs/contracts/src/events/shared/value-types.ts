import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsDepartementCode } from '@app/validation';

/** SHA-256 of a normalised pass code, lower-case hex: codes never travel in clear. */
export const CODE_HASH = /^[0-9a-f]{64}$/;

export const FUNDER_KINDS = ['state', 'departement', 'region', 'caf', 'commune', 'other'] as const;
export type FunderKind = (typeof FUNDER_KINDS)[number];

export const AGE_BANDS = ['under_26', '26_44', '45_59', '60_74', '75_plus'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const SITUATIONS = ['job_seeker', 'rsa_recipient', 'senior', 'young_person', 'other'] as const;
export type Situation = (typeof SITUATIONS)[number];

/** The digital-autonomy diagnostic that motivated the booklet. */
export const DIAGNOSTIC_LEVELS = ['no_autonomy', 'low_autonomy', 'partial_autonomy'] as const;
export type DiagnosticLevel = (typeof DIAGNOSTIC_LEVELS)[number];

export const VOID_REASONS = ['lost', 'stolen', 'issued_by_mistake', 'other'] as const;
export type VoidReason = (typeof VOID_REASONS)[number];

export const BOOKLET_SIZES = [5, 10] as const;

export class FundingLineV1 {
  @IsUUID()
  fundingLineId: string;

  @IsUUID()
  funderId: string;

  /** Share of every amount, in basis points; a program's lines sum to exactly 10000. */
  @IsInt()
  @Min(1)
  @Max(10000)
  shareBasisPoints: number;
}

export class TerritoryV1 {
  @ArrayMinSize(1)
  @ArrayMaxSize(101)
  @IsDepartementCode({ each: true })
  departements: string[];
}

export class IssuedPassV1 {
  @IsUUID()
  passId: string;

  @Matches(CODE_HASH)
  codeHash: string;

  @IsInt()
  @Min(1)
  amountCents: number;
}

/** Pseudonymous: a system-made reference and coarse categories, never a name or a social-security number. */
export class BeneficiaryProfileV1 {
  @IsString()
  @Length(6, 40)
  beneficiaryRef: string;

  @IsOptional()
  @IsIn(AGE_BANDS)
  ageBand?: AgeBand;

  @IsIn(SITUATIONS)
  situation: Situation;

  @IsIn(DIAGNOSTIC_LEVELS)
  diagnosticLevel: DiagnosticLevel;
}
