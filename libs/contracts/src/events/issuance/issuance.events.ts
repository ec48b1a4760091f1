import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate, IsDepartementCode } from '@app/validation';
import { defineEvent } from '../../event-definition';
import { Topics } from '../../topics';
import { BeneficiaryProfileV1, IssuedPassV1, VOID_REASONS, VoidReason } from '../shared/value-types';

export class BookletIssuedV1 {
  @IsUUID() bookletId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  /** The counselor's account (token subject), for the audit trail. */
  @IsString() issuedBy: string;
  @ValidateNested() @Type(() => BeneficiaryProfileV1) beneficiary: BeneficiaryProfileV1;
  @IsCalendarDate() validFrom: string;
  @IsCalendarDate() validUntil: string;
  @IsInt() @Min(0) @Max(366) toleranceDays: number;
  @ArrayMinSize(1) @ArrayMaxSize(101) @IsDepartementCode({ each: true }) territory: string[];
  /** The passes with their ids, code hashes (never codes) and amounts. */
  @ArrayMinSize(1) @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => IssuedPassV1) passes: IssuedPassV1[];
  @IsInt() @Min(1) totalCents: number;
}

export const BookletIssued = defineEvent({
  type: 'BookletIssued',
  schemaVersion: 1,
  producer: 'issuance',
  topic: Topics.issuance,
  payload: BookletIssuedV1,
  keyField: 'bookletId',
  description: "A counselor issued a booklet of passes from its agency's allocation to a pseudonymous beneficiary.",
});

export class VoucherVoidRequestedV1 {
  @IsUUID() requestId: string;
  @IsUUID() passId: string;
  @IsUUID() bookletId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  @IsIn(VOID_REASONS) reason: VoidReason;
  @IsOptional() @IsString() @Length(1, 500) comment?: string;
  @IsString() requestedBy: string;
}

export const VoucherVoidRequested = defineEvent({
  type: 'VoucherVoidRequested',
  schemaVersion: 1,
  producer: 'issuance',
  topic: Topics.issuance,
  payload: VoucherVoidRequestedV1,
  keyField: 'bookletId',
  description:
    'A counselor of the issuing agency asks to void a pass; redemption answers VoucherVoided or VoucherVoidRejected.',
});

export class AllocationReleasedV1 {
  @IsUUID() reclaimId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  /** What was unused and is now freed (may be 0). */
  @IsInt() @Min(0) amountCents: number;
}

export const AllocationReleased = defineEvent({
  type: 'AllocationReleased',
  schemaVersion: 1,
  producer: 'issuance',
  topic: Topics.issuance,
  payload: AllocationReleasedV1,
  keyField: 'programId',
  description: 'Issuance answers a reclaim request with the amount of the allocation it actually freed.',
});
