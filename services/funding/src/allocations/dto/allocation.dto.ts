import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { MAX_AMOUNT_CENTS } from '@app/money';

/** The ledger keys accounts by the id as text: an id typed in upper case must find the same account. */
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

export class GrantAllocationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  @Transform(lowerCase)
  agencyId: string;

  @ApiProperty({
    example: 100_000,
    description: "In cents; a whole number of booklets' worth (face value × booklet size)",
    maximum: MAX_AMOUNT_CENTS,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  amountCents: number;
}

export class RequestReclaimDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  @Transform(lowerCase)
  agencyId: string;

  @ApiProperty({
    example: 50_000,
    maximum: MAX_AMOUNT_CENTS,
    description: 'The most to take back; issuance frees what is unused, up to this',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_CENTS)
  amountCents: number;

  @ApiPropertyOptional({ example: "L'agence ferme" })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}
