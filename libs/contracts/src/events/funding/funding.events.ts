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
import { IsCalendarDate, IsDepartementCode, IsSiret } from '@app/validation';
import { defineEvent } from '../../event-definition';
import { Topics } from '../../topics';
import { BOOKLET_SIZES, FUNDER_KINDS, FunderKind, FundingLineV1 } from '../shared/value-types';

export class FunderRegisteredV1 {
  @IsUUID() funderId: string;
  @IsString() @Length(2, 200) name: string;
  @IsIn(FUNDER_KINDS) kind: FunderKind;
  @IsSiret() siret: string;
}

export const FunderRegistered = defineEvent({
  type: 'FunderRegistered',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: FunderRegisteredV1,
  keyField: 'funderId',
  description: 'A funder (State, département, region, CAF, commune…) was registered.',
});

export class ProgramOpenedV1 {
  @IsUUID() programId: string;
  @IsString() @Length(2, 200) name: string;
  @IsInt() @Min(1) faceValueCents: number;
  @IsIn(BOOKLET_SIZES) bookletSize: number;
  /** Passes are usable from this date… */
  @IsCalendarDate() validFrom: string;
  /** …to this date, plus the tolerance in days; unredeemed value is then released to the funders. */
  @IsCalendarDate() validUntil: string;
  @IsInt() @Min(0) @Max(366) toleranceDays: number;
  @ArrayMinSize(1) @ArrayMaxSize(101) @IsDepartementCode({ each: true }) territory: string[];
  @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => FundingLineV1) fundingLines: FundingLineV1[];
  /** The funder that may grant allocations besides the operator. */
  @IsUUID() leadFunderId: string;
  @IsInt() @Min(0) budgetCents: number;
  @IsString() openedBy: string;
}

export const ProgramOpened = defineEvent({
  type: 'ProgramOpened',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: ProgramOpenedV1,
  keyField: 'programId',
  description:
    'A co-funded program was opened with its face value, booklet size, validity, territory, funding lines and initial budget.',
});

export class ProgramBudgetIncreasedV1 {
  @IsUUID() programId: string;
  @IsInt() @Min(1) amountCents: number;
  @IsInt() @Min(1) budgetCents: number;
  @IsString() increasedBy: string;
}

export const ProgramBudgetIncreased = defineEvent({
  type: 'ProgramBudgetIncreased',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: ProgramBudgetIncreasedV1,
  keyField: 'programId',
  description: "A program's budget was increased; budgetCents is the new total.",
});

export class ProgramClosedV1 {
  @IsUUID() programId: string;
  @IsString() @Length(1, 500) reason: string;
  @IsString() closedBy: string;
}

export const ProgramClosed = defineEvent({
  type: 'ProgramClosed',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: ProgramClosedV1,
  keyField: 'programId',
  description: 'A program was closed: no new allocation nor booklet; issued passes stay valid until their end.',
});

export class AllocationGrantedV1 {
  @IsUUID() allocationId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  /** Always a whole number of booklets' worth. */
  @IsInt() @Min(1) amountCents: number;
  @IsString() grantedBy: string;
}

export const AllocationGranted = defineEvent({
  type: 'AllocationGranted',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: AllocationGrantedV1,
  keyField: 'programId',
  description: "Part of a program's unallocated budget was granted to an agency, which issuance may now spend.",
});

export class AllocationReclaimRequestedV1 {
  @IsUUID() reclaimId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  /** The most that may be taken back; issuance frees what is unused, up to this. */
  @IsInt() @Min(1) requestedCents: number;
  @IsOptional() @IsString() @Length(1, 500) reason?: string;
  @IsString() requestedBy: string;
}

export const AllocationReclaimRequested = defineEvent({
  type: 'AllocationReclaimRequested',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: AllocationReclaimRequestedV1,
  keyField: 'programId',
  description: 'The operator asks to take back unused allocation from an agency; issuance answers AllocationReleased.',
});

export class AllocationReducedV1 {
  @IsUUID() reclaimId: string;
  @IsUUID() programId: string;
  @IsUUID() agencyId: string;
  /** What issuance actually freed (may be 0). */
  @IsInt() @Min(0) amountCents: number;
}

export const AllocationReduced = defineEvent({
  type: 'AllocationReduced',
  schemaVersion: 1,
  producer: 'funding',
  topic: Topics.funding,
  payload: AllocationReducedV1,
  keyField: 'programId',
  description: "The freed amount went back from the agency allocation to the program's unallocated budget.",
});
