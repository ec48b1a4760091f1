import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsUUID, ValidateNested } from 'class-validator';
import { BeneficiaryProfileDto } from './issue-booklet.dto';

/** A campaign can be large, but one order holds the allocation's row lock while it is written: 500 booklets at most. */
export const MAX_BOOKLETS_PER_ORDER = 500;

export class OrderBookletsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  programId: string;

  @ApiProperty({
    type: [BeneficiaryProfileDto],
    minItems: 1,
    maxItems: MAX_BOOKLETS_PER_ORDER,
    description: 'One booklet per beneficiary profile (coarse categories only), answered in the same order',
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'La commande doit comporter au moins un carnet.' })
  @ArrayMaxSize(MAX_BOOKLETS_PER_ORDER, { message: `Une commande comporte au plus ${MAX_BOOKLETS_PER_ORDER} carnets.` })
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => BeneficiaryProfileDto)
  beneficiaries: BeneficiaryProfileDto[];
}
