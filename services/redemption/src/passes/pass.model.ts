import type { PassState, PassStatus } from '../redemptions/eligibility';

/** A pass as learnt from BookletIssued, with its spend state. */
export interface PassRecord extends PassState {
  bookletId: string;
  programId: string;
  agencyId: string;
  codeHash: string;
}

export type NewPass = Omit<PassRecord, 'status' | 'redeemedAt' | 'redeemedAtSiteId'>;
export type { PassStatus };

/** What the expiry job needs of a pass it just expired to announce it. */
export type ExpiredPass = Pick<PassRecord, 'id' | 'bookletId' | 'programId' | 'agencyId' | 'amountCents'>;
