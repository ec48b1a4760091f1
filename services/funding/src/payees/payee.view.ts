import { ApiProperty } from '@nestjs/swagger';
import { AccreditationStatus } from './payee.repository';

export class PayoutAccountView {
  @ApiProperty({ description: 'Country, check digits and last four characters only', example: 'FR76…1234' })
  iban: string;
  @ApiProperty() bic: string;
}

export class HeldStatementsView {
  @ApiProperty() statements: number;
  @ApiProperty({ description: 'Integer cents' }) cents: number;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
}

/** A site funding pays, or that only a held statement names. */
export class PayeeView {
  @ApiProperty() siteId: string;
  @ApiProperty({ description: 'False when only held statements name the site: redemption never announced it' })
  known: boolean;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) siret: string | null;
  @ApiProperty({ type: String, nullable: true }) rna: string | null;
  @ApiProperty({ enum: ['pending', 'accredited', 'suspended', 'revoked'], nullable: true })
  accreditationStatus: AccreditationStatus | null;
  @ApiProperty({
    type: PayoutAccountView,
    nullable: true,
    description: 'Null until the site declares an IBAN and a BIC',
  })
  payoutAccount: PayoutAccountView | null;
  @ApiProperty({
    type: HeldStatementsView,
    description: 'Statements kept out of payment files for want of an account, until a run after the site declares one',
  })
  held: HeldStatementsView;
}
