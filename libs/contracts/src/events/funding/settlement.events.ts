import { IsBoolean, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Min } from 'class-validator';
import { defineEvent } from '../../event-definition';
import { Topics } from '../../topics';

/** A settlement period: a calendar month, Europe/Paris. */
export const SETTLEMENT_PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A site's monthly statement: what it is owed for the passes it redeemed, net of earlier cancellations. */
export class SettlementStatementIssuedV1 {
  @IsUUID() statementId: string;
  @IsUUID() runId: string;
  @IsUUID() siteId: string;
  @Matches(SETTLEMENT_PERIOD) period: string;
  /** e.g. `PN-2026-10-000123`: the transfer's end-to-end id and remittance information. */
  @IsString() @Length(1, 35) reference: string;
  @IsInt() @Min(1) totalCents: number;
  @IsInt() @Min(1) lineCount: number;
  /** A held statement is not in the payment file (e.g. no payout account known). */
  @IsBoolean() held: boolean;
  @IsOptional() @IsString() @Length(1, 500) heldReason: string | null;
}

export const SettlementStatementIssued = defineEvent({
  type: 'SettlementStatementIssued',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: SettlementStatementIssuedV1,
  keyField: 'siteId',
  description: 'A settlement run issued a statement to a site for a period; held statements are not paid by the run.',
});

export class SettlementPaidV1 {
  @IsUUID() statementId: string;
  @IsUUID() runId: string;
  @IsUUID() siteId: string;
  @IsString() @Length(1, 35) reference: string;
  @IsInt() @Min(1) amountCents: number;
  @IsISO8601({ strict: true }) paidAt: string;
  @IsString() confirmedBy: string;
}

export const SettlementPaid = defineEvent({
  type: 'SettlementPaid',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: SettlementPaidV1,
  keyField: 'siteId',
  description: "The operator confirmed the bank transfer of a site's statement; its amount moved from payable to paid.",
});

export class FunderCreditNoteIssuedV1 {
  @IsUUID() creditNoteId: string;
  @IsUUID() programId: string;
  @IsUUID() fundingLineId: string;
  @IsUUID() funderId: string;
  @IsString() @Length(1, 35) reference: string;
  /** The funder's share of the value released by expired passes (may be 0). */
  @IsInt() @Min(0) amountCents: number;
  @IsString() issuedBy: string;
}

export const FunderCreditNoteIssued = defineEvent({
  type: 'FunderCreditNoteIssued',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: FunderCreditNoteIssuedV1,
  keyField: 'programId',
  description:
    "After a program's validity and tolerance ended, a funder was credited its share of the unredeemed value released.",
});
