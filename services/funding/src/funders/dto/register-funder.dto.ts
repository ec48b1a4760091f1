import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { FUNDER_KINDS, FunderKind } from '@app/contracts';
import { IsSiret } from '@app/validation';

export class RegisterFunderDto {
  @ApiProperty({ example: 'Conseil départemental de la Haute-Garonne' })
  @IsString()
  @Length(2, 200)
  name: string;

  @ApiProperty({ enum: FUNDER_KINDS, example: 'departement' })
  @IsIn(FUNDER_KINDS)
  kind: FunderKind;

  @ApiProperty({ example: '22310001700019', description: '14 digits, Luhn checked' })
  @IsSiret()
  siret: string;
}

export class FunderView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: FUNDER_KINDS }) kind: FunderKind;
  @ApiProperty() siret: string;
  @ApiProperty() registeredAt: Date;
}
