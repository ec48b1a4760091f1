import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AGE_BANDS,
  AgeBand,
  DIAGNOSTIC_LEVELS,
  DiagnosticLevel,
  SITUATIONS,
  Situation,
  VOID_REASONS,
} from '@app/contracts';
import { BOOKLET_STATUSES, BookletStatus, PASS_STATUSES, PassStatus } from '../booklet.repository';

export class BeneficiaryView {
  @ApiProperty({ example: 'BEN-7KQ2M9XH4T' }) beneficiaryRef: string;
  @ApiPropertyOptional({ enum: AGE_BANDS, nullable: true }) ageBand: AgeBand | null;
  @ApiProperty({ enum: SITUATIONS }) situation: Situation;
  @ApiProperty({ enum: DIAGNOSTIC_LEVELS }) diagnosticLevel: DiagnosticLevel;
}

export class VoidRequestSummaryView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['pending', 'accepted', 'rejected'] }) status: string;
  @ApiProperty({ enum: VOID_REASONS }) reason: string;
  @ApiPropertyOptional({ type: String, nullable: true }) rejectionReason: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
}

export class PassView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 1 }) position: number;
  @ApiProperty({ example: 1000 }) amountCents: number;
  @ApiProperty({
    enum: PASS_STATUSES,
    description: 'Mirrored from redemption, which alone decides redeemed, voided and expired',
  })
  status: PassStatus;
  @ApiProperty() statusChangedAt: Date;
  @ApiPropertyOptional({ type: VoidRequestSummaryView, nullable: true, description: 'The latest void request, if any' })
  voidRequest?: VoidRequestSummaryView | null;
}

export class IssuedPassView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 1 }) position: number;
  @ApiProperty({ example: 1000 }) amountCents: number;
  @ApiProperty({
    example: 'K7QM-3XTA-9HWP-2DRC-X',
    description: 'Shown once, here, for printing; stored only encrypted',
  })
  code: string;
}

class BookletFields {
  @ApiProperty() id: string;
  @ApiProperty() programId: string;
  @ApiProperty() agencyId: string;
  @ApiProperty({ type: BeneficiaryView }) beneficiary: BeneficiaryView;
  @ApiProperty({ example: 10000 }) totalCents: number;
  @ApiProperty() issuedBy: string;
  @ApiProperty() issuedAt: Date;
}

/** The answer to an issuance: the only API answer that carries the codes. */
export class IssuedBookletView extends BookletFields {
  @ApiProperty({ example: '2026-12-31' }) validUntil: string;
  @ApiProperty({ type: [IssuedPassView] }) passes: IssuedPassView[];
}

export class BookletSummaryView extends BookletFields {
  @ApiProperty() programName: string;
  @ApiProperty({
    enum: BOOKLET_STATUSES,
    description:
      'issued: untouched; started: some passes used, voided or expired; finished: none left; voided / expired: all passes',
  })
  status: BookletStatus;
  @ApiProperty() passesIssued: number;
  @ApiProperty() passesRedeemed: number;
  @ApiProperty() passesVoided: number;
  @ApiProperty() passesExpired: number;
}

export class BookletView extends BookletSummaryView {
  @ApiProperty({ type: [PassView] }) passes: PassView[];
}

export class BookletPageView {
  @ApiProperty({ type: [BookletSummaryView] }) items: BookletSummaryView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

class BookletOrderFields {
  @ApiProperty() id: string;
  @ApiProperty() programId: string;
  @ApiProperty() agencyId: string;
  @ApiProperty({ example: 50 }) bookletCount: number;
  @ApiProperty({ example: 500000 }) totalCents: number;
  @ApiProperty() orderedBy: string;
  @ApiProperty() orderedAt: Date;
}

/** The answer to an order: every booklet with its codes, for printing (each booklet's PDF stays at GET /booklets/{id}/pdf). */
export class IssuedBookletOrderView extends BookletOrderFields {
  @ApiProperty({ type: [IssuedBookletView], description: 'In the order of the beneficiaries given' })
  booklets: IssuedBookletView[];
}

export class BookletOrderView extends BookletOrderFields {
  @ApiProperty({
    type: [String],
    description:
      'The booklets, in the order of the beneficiaries given; each one at GET /booklets/{id} and GET /booklets/{id}/pdf',
  })
  bookletIds: string[];
}
