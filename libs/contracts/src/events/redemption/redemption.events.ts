import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
} from 'class-validator';
import { IsCalendarDate, IsDepartementCode } from '@app/validation';
import { defineEvent } from '../../event-definition';
import { Topics } from '../../topics';

export const SITE_LABELS = [
  'france_services',
  'conseillers_numeriques',
  'netpublic',
  'aidants_connect',
  'pix',
  'other',
] as const;
export type SiteLabel = (typeof SITE_LABELS)[number];

/** The site as funding needs it to pay: identity, place and payout account. */
export class SiteRegisteredV1 {
  @IsUUID() siteId: string;
  @IsString() @Length(2, 300) name: string;
  /** 14 digits (Luhn) or null when the site is an association identified by its RNA number. */
  @IsOptional() @Matches(/^\d{14}$/) siret: string | null;
  @IsOptional() @Matches(/^W\d{9}$/) rna: string | null;
  @IsDepartementCode() departement: string;
  @Matches(/^\d{5}$/) postalCode: string;
  @Matches(/^(\d{5}|2[AB]\d{3})$/) inseeCode: string;
  /** Payout account, checked (mod 97) by redemption; null until given. */
  @IsOptional() @Matches(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/) iban: string | null;
  @IsOptional() @Matches(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/) bic: string | null;
  @ArrayMaxSize(20) @IsIn(SITE_LABELS, { each: true }) labels: SiteLabel[];
  /** Where the site came from: `manual`, or the national data set's id. */
  @IsString() @Length(1, 200) source: string;
  @IsString() registeredBy: string;
}

export const SiteRegistered = defineEvent({
  type: 'SiteRegistered',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: SiteRegisteredV1,
  keyField: 'siteId',
  description:
    'A mediation site was registered (pending accreditation), by hand or by import of the national data set.',
});

/** Same shape as SiteRegistered: the site's details after a change (e.g. a re-import or a new payout account). */
export type SiteUpdatedV1 = SiteRegisteredV1;

export const SiteUpdated = defineEvent({
  type: 'SiteUpdated',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: SiteRegisteredV1,
  keyField: 'siteId',
  description: "A site's details changed; the payload is the whole new state.",
});

export class SiteAccreditedV1 {
  @IsUUID() siteId: string;
  @IsCalendarDate() validUntil: string;
  @IsString() @Length(1, 500) reason: string;
  @IsString() decidedBy: string;
}

export const SiteAccredited = defineEvent({
  type: 'SiteAccredited',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: SiteAccreditedV1,
  keyField: 'siteId',
  description: 'A site was accredited until a date (only with a checked payout account): it may redeem passes.',
});

/** A change of accreditation with its reason and the operator who decided it. */
export class SiteAccreditationDecisionV1 {
  @IsUUID() siteId: string;
  @IsString() @Length(1, 500) reason: string;
  @IsString() decidedBy: string;
}

export type SiteSuspendedV1 = SiteAccreditationDecisionV1;
export type SiteReinstatedV1 = SiteAccreditationDecisionV1;
export type SiteAccreditationRevokedV1 = SiteAccreditationDecisionV1;

export const SiteSuspended = defineEvent({
  type: 'SiteSuspended',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: SiteAccreditationDecisionV1,
  keyField: 'siteId',
  description: 'A site was suspended: it cannot redeem until reinstated.',
});

export const SiteReinstated = defineEvent({
  type: 'SiteReinstated',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: SiteAccreditationDecisionV1,
  keyField: 'siteId',
  description: 'A suspended site was reinstated within its accreditation.',
});

export const SiteAccreditationRevoked = defineEvent({
  type: 'SiteAccreditationRevoked',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: SiteAccreditationDecisionV1,
  keyField: 'siteId',
  description: "A site's accreditation was revoked for good; it is still paid for what it legitimately redeemed.",
});

/** One pass spent; a redemption of several passes emits one of these per pass, sharing the redemptionId. */
export class VoucherRedeemedV1 {
  @IsUUID() redemptionId: string;
  @IsUUID() passId: string;
  @IsUUID() bookletId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  @IsUUID() siteId: string;
  @IsInt() @Min(1) amountCents: number;
  @IsISO8601({ strict: true }) redeemedAt: string;
  @IsString() redeemedBy: string;
}

export const VoucherRedeemed = defineEvent({
  type: 'VoucherRedeemed',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: VoucherRedeemedV1,
  keyField: 'bookletId',
  description: 'A pass was redeemed at an accredited site; its value becomes payable to the site.',
});

export class RedemptionCancelledV1 {
  @IsUUID() redemptionId: string;
  @IsUUID() passId: string;
  @IsUUID() bookletId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  @IsUUID() siteId: string;
  @IsInt() @Min(1) amountCents: number;
  @IsISO8601({ strict: true }) cancelledAt: string;
  @IsString() @Length(1, 500) reason: string;
  @IsString() cancelledBy: string;
}

export const RedemptionCancelled = defineEvent({
  type: 'RedemptionCancelled',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: RedemptionCancelledV1,
  keyField: 'bookletId',
  description: 'The site cancelled its own redemption of a pass (within 24 hours); the pass is usable again.',
});

export class VoucherVoidedV1 {
  @IsUUID() requestId: string;
  @IsUUID() passId: string;
  @IsUUID() bookletId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  @IsInt() @Min(1) amountCents: number;
  @IsISO8601({ strict: true }) voidedAt: string;
}

export const VoucherVoided = defineEvent({
  type: 'VoucherVoided',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: VoucherVoidedV1,
  keyField: 'bookletId',
  description:
    "A void request was accepted: the pass can never be redeemed and its value returns to the agency's allocation.",
});

export const VOID_REJECTION_REASONS = ['already_redeemed', 'already_voided', 'expired', 'unknown_pass'] as const;
export type VoidRejectionReason = (typeof VOID_REJECTION_REASONS)[number];

export class VoucherVoidRejectedV1 {
  @IsUUID() requestId: string;
  @IsUUID() passId: string;
  @IsUUID() bookletId: string;
  @IsIn(VOID_REJECTION_REASONS) reason: VoidRejectionReason;
}

export const VoucherVoidRejected = defineEvent({
  type: 'VoucherVoidRejected',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: VoucherVoidRejectedV1,
  keyField: 'bookletId',
  description: 'A void request was refused, e.g. because the pass was already redeemed.',
});

export class VoucherExpiredV1 {
  @IsUUID() passId: string;
  @IsUUID() bookletId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  @IsInt() @Min(1) amountCents: number;
  @IsISO8601({ strict: true }) expiredAt: string;
}

export const VoucherExpired = defineEvent({
  type: 'VoucherExpired',
  schemaVersion: 1,
  producer: 'redemption',
  topic: Topics.redemption,
  payload: VoucherExpiredV1,
  keyField: 'bookletId',
  description: 'A pass reached its validity end plus tolerance unredeemed: its value is released to the funders.',
});
