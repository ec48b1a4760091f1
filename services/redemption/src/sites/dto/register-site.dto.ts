import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { SITE_LABELS, SiteLabel } from '@app/contracts';
import { IsBic, IsDepartementCode, IsIban, IsRna, IsSiret, normalizeIban } from '@app/validation';

const upperNoSpaces = ({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeIban(value) : value);

export class PayoutAccountDto {
  @ApiProperty({ example: 'FR7630006000011234567890189', description: 'Spaces allowed; checked mod 97' })
  @Transform(upperNoSpaces)
  @IsIban()
  iban: string;

  @ApiProperty({ example: 'AGRIFRPP882' })
  @Transform(upperNoSpaces)
  @IsBic()
  bic: string;
}

export class RegisterSiteDto {
  @ApiProperty({ example: 'Espace numérique de Muret' })
  @IsString()
  @Length(2, 300)
  name: string;

  @ApiPropertyOptional({ example: '73282932000074', description: '14 digits, Luhn checked; give it or rna' })
  @IsOptional()
  @IsSiret()
  siret?: string;

  @ApiPropertyOptional({ example: 'W313000123', description: "An association's RNA number; give it or siret" })
  @IsOptional()
  @IsRna()
  rna?: string;

  @ApiProperty({ example: '12 rue de la République' })
  @IsString()
  @Length(2, 300)
  address: string;

  @ApiProperty({ example: '31600' })
  @Matches(/^\d{5}$/)
  postalCode: string;

  @ApiProperty({ example: '31395', description: "The commune's INSEE code; the département is derived from it" })
  @Matches(/^(\d{5}|2[AB]\d{3})$/)
  inseeCode: string;

  @ApiPropertyOptional({ example: '31', description: 'Checked against the INSEE code when given' })
  @IsOptional()
  @IsDepartementCode()
  departement?: string;

  @ApiPropertyOptional({
    example: 'contact@espace-muret.fr',
    description: "The site's contact address (an organisation's, not a person's)",
  })
  @IsOptional()
  @IsEmail()
  contactEmail?: string;

  @ApiPropertyOptional({ example: '+33561000000' })
  @IsOptional()
  @Matches(/^(\+33|\+590|\+594|\+262|\+596|\+269)\d{6,9}$|^0\d{9}$/)
  contactPhone?: string;

  @ApiPropertyOptional({
    example: 'FR7630006000011234567890189',
    description: 'Payout account, needed before accreditation; with bic',
  })
  @IsOptional()
  @Transform(upperNoSpaces)
  @IsIban()
  iban?: string;

  @ApiPropertyOptional({ example: 'AGRIFRPP882' })
  @IsOptional()
  @Transform(upperNoSpaces)
  @IsBic()
  bic?: string;

  @ApiProperty({ enum: SITE_LABELS, isArray: true, example: ['france_services'] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsIn(SITE_LABELS, { each: true })
  labels: SiteLabel[];
}

export class SiteView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) siret: string | null;
  @ApiProperty({ type: String, nullable: true }) rna: string | null;
  @ApiProperty() address: string;
  @ApiProperty() postalCode: string;
  @ApiProperty() inseeCode: string;
  @ApiProperty() departement: string;
  @ApiProperty({ type: String, nullable: true }) contactEmail: string | null;
  @ApiProperty({ type: String, nullable: true }) contactPhone: string | null;
  @ApiProperty({ type: String, nullable: true }) iban: string | null;
  @ApiProperty({ type: String, nullable: true }) bic: string | null;
  @ApiProperty({ enum: SITE_LABELS, isArray: true }) labels: SiteLabel[];
  @ApiProperty({ type: String, nullable: true, description: 'Id in the national data set when imported' }) sourceId:
    string | null;
  @ApiProperty({ enum: ['pending', 'accredited', 'suspended', 'revoked'] }) status: string;
  @ApiProperty({ type: String, nullable: true, example: '2027-12-31' }) accreditedUntil: string | null;
  @ApiProperty() registeredAt: Date;
}
