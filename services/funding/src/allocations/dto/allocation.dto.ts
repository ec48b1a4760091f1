import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';

export class GrantAllocationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  agencyId: string;

  @ApiProperty({
    example: 100_000,
    description: "In cents; a whole number of booklets' worth (face value × booklet size)",
  })
  @IsInt()
  @Min(1)
  amountCents: number;
}

export class RequestReclaimDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  agencyId: string;

  @ApiProperty({ example: 50_000, description: 'The most to take back; issuance frees what is unused, up to this' })
  @IsInt()
  @Min(1)
  amountCents: number;

  @ApiPropertyOptional({ example: "L'agence ferme" })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}
