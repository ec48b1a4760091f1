import { PassState, PassStatus } from '../redemptions/eligibility';

/** A pass as learnt from BookletIssued, with its spend state. */
export interface PassRecord extends PassState {
  bookletId: string;
  programId: string;
  agencyId: string;
  codeHash: string;
}

export type NewPass = Omit<PassRecord, 'status' | 'redeemedAt' | 'redeemedAtSiteId'>;
export type { PassStatus };
