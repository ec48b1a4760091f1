import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { AGE_BANDS, AgeBand, DIAGNOSTIC_LEVELS, DiagnosticLevel, SITUATIONS, Situation } from '@app/contracts';

/** Coarse categories only: no name, no identifier of the person (unknown fields are refused). */
export class BeneficiaryProfileDto {
  @ApiPropertyOptional({ enum: AGE_BANDS })
  @IsOptional()
  @IsIn(AGE_BANDS)
  ageBand?: AgeBand;

  @ApiProperty({ enum: SITUATIONS })
  @IsIn(SITUATIONS)
  situation: Situation;

  @ApiProperty({ enum: DIAGNOSTIC_LEVELS, description: 'The digital-autonomy diagnostic that motivated the booklet' })
  @IsIn(DIAGNOSTIC_LEVELS)
  diagnosticLevel: DiagnosticLevel;
}

export class IssueBookletDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  programId: string;

  @ApiProperty({ type: BeneficiaryProfileDto })
  // ValidateNested alone lets a missing profile, or a list, through to the event contract.
  @IsObject()
  @ValidateNested()
  @Type(() => BeneficiaryProfileDto)
  beneficiary: BeneficiaryProfileDto;
}
