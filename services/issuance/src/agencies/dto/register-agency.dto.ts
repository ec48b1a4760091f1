import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { AGENCY_KINDS, AgencyKind } from '@app/contracts';
import { IsDepartementCode, IsSiret } from '@app/validation';

export class RegisterAgencyDto {
  @ApiProperty({ example: 'Agence France Travail Toulouse Compans' })
  @IsString()
  @Length(2, 200)
  name: string;

  @ApiProperty({ enum: AGENCY_KINDS, example: 'france_travail' })
  @IsIn(AGENCY_KINDS)
  kind: AgencyKind;

  @ApiProperty({ example: '31', description: 'Département code (01–95, 2A, 2B, 971–974, 976)' })
  @IsDepartementCode()
  departement: string;

  @ApiProperty({ example: '73282932000074', description: '14 digits, Luhn checked' })
  @IsSiret()
  siret: string;
}

export class AgencyView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: AGENCY_KINDS }) kind: AgencyKind;
  @ApiProperty() departement: string;
  @ApiProperty() siret: string;
  @ApiProperty() registeredAt: Date;
}
