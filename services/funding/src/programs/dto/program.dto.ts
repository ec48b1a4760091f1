import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { BOOKLET_SIZES } from '@app/contracts';
import { MAX_AMOUNT_CENTS } from '@app/money';
import { PageQuery } from '@app/platform';
import { IsCalendarDate, IsDepartementCode } from '@app/validation';

export class FundingLineDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  funderId: string;

  @ApiProperty({ example: 5000, description: 'Share in basis points; the lines of a program sum to exactly 10000' })
  @IsInt()
  @Min(1)
  @Max(10000)
  shareBasisPoints: number;
}

export class OpenProgramDto {
  @ApiProperty({ example: 'Pass numérique Haute-Garonne 2027' })
  @IsString()
  @Length(2, 200)
  name: string;

  @ApiPropertyOptional({ example: 1000, default: 1000, description: 'Face value of one pass, in cents' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  faceValueCents: number = 1000;

  @ApiPropertyOptional({ enum: BOOKLET_SIZES, default: 10 })
  @IsOptional()
  @IsIn(BOOKLET_SIZES)
  bookletSize: number = 10;

  @ApiProperty({ example: '2027-01-01', description: 'First day passes may be redeemed (YYYY-MM-DD, Europe/Paris)' })
  @IsCalendarDate()
  validFrom: string;

  @ApiProperty({ example: '2027-12-31', description: 'Validity end of the passes (YYYY-MM-DD)' })
  @IsCalendarDate()
  validUntil: string;

  @ApiProperty({ example: 31, description: 'Days of tolerance after validUntil before unredeemed value is released' })
  @IsInt()
  @Min(0)
  @Max(366)
  toleranceDays: number;

  @ApiProperty({ example: ['31'], description: 'Département codes where passes may be redeemed' })
  @ArrayMinSize(1)
  @ArrayMaxSize(101)
  @ArrayUnique()
  @IsDepartementCode({ each: true })
  territory: string[];

  @ApiProperty({ type: [FundingLineDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => FundingLineDto)
  fundingLines: FundingLineDto[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Funder allowed to grant allocations besides the operator; defaults to the first line',
  })
  @IsOptional()
  @IsUUID()
  leadFunderId?: string;

  @ApiProperty({
    example: 10_000_000,
    minimum: 1,
    maximum: MAX_AMOUNT_CENTS,
    description: 'Initial budget in cents, one billion euros at most',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  budgetCents: number;
}

export class IncreaseBudgetDto {
  @ApiProperty({ example: 500_000, minimum: 1, maximum: MAX_AMOUNT_CENTS })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  amountCents: number;
}

export class CloseProgramDto {
  @ApiProperty({ example: 'Fin du dispositif' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class TransfersQuery extends PageQuery(500) {}

export class ProgramsQuery extends PageQuery(200) {}
