// What the parts of the chaos soak hand each other: where the system runs,
// what the workload was told succeeded (the facts the invariants are checked
// against), and what each request came to.

/** Base URLs of the two instances of each service (http://127.0.0.1:PORT). */
export interface Endpoints {
  issuance: string[];
  redemption: string[];
  funding: string[];
  reporting: string[];
}

export type ServiceName = keyof Endpoints;

/** Connection strings of each service's database on the soak's own PostgreSQL cluster. */
export type DatabaseUrls = Record<ServiceName, string>;

/** A redemption answered with a 2xx: it must exist exactly once everywhere once the pipelines drain. */
export interface AcknowledgedRedemption {
  redemptionId: string;
  siteId: string;
  programId: string;
  /** Pass codes as the site typed them (clear: never logged, only kept in memory and in the run's private results). */
  codes: string[];
  amountCents: number;
  idempotencyKey: string;
  /** Date.now() of the answer. */
  acknowledgedAt: number;
}

/** Everything the workload was told succeeded (2xx), gathered while faults were injected. */
export interface Acknowledgements {
  programs: Array<{ id: string; budgetCents: number; departement: string; shortLived: boolean }>;
  /** Allocations granted with a 2xx, per agency and program. */
  allocations: Array<{ programId: string; agencyId: string; amountCents: number }>;
  agencies: string[];
  sites: string[];
  /** Booklets issued with a 2xx (one at a time or in orders). */
  booklets: Array<{ bookletId: string; programId: string; agencyId: string; passCount: number; amountCents: number }>;
  redemptions: AcknowledgedRedemption[];
  /** Redemption ids whose cancellation was answered with a 2xx. */
  cancelledRedemptions: string[];
  /** Pass ids whose void request was answered with a 2xx. */
  voidRequests: string[];
  /** Settlement runs answered with a 2xx, and their periods. */
  settlementRuns: Array<{ id: string; period: string }>;
  /** Expiry runs answered with a 2xx: how many passes each expired. */
  expiryRuns: Array<{ expired: number }>;
  /** Settlement run ids whose payment confirmation was answered with a 2xx (or "already paid"). */
  paidSettlementRuns?: string[];
  /**
   * Requests whose answer never came (the client aborted, timed out, the connection broke, or a 5xx): their
   * effect may or may not exist, so they are neither acknowledged nor lost. Redemptions keep their codes.
   */
  uncertainRedemptions?: UncertainRedemption[];
  uncertainAllocations?: Array<{ programId: string; agencyId: string; amountCents: number }>;
  uncertainBudgetIncreases?: Array<{ programId: string; amountCents: number }>;
  /** Redemption ids whose cancellation got no answer, even when sent again. */
  uncertainCancellations?: string[];
}

/** A redemption request without a definite answer: it may have redeemed its codes, or not. */
export interface UncertainRedemption {
  /** The record kind of the request, e.g. "redeem-aborted". */
  kind: string;
  outcome: Outcome;
  siteId: string;
  programId: string;
  codes: string[];
  idempotencyKey: string;
  at: number;
}

/** How a request ended: a status, or a transport failure (refused, reset, aborted by us, timed out). */
export type Outcome = number | 'refused' | 'reset' | 'aborted' | 'timeout' | 'other';

export interface RequestRecord {
  /** What the workload was doing, e.g. "redeem", "redeem-retry", "redeem-contested", "issue-booklet", "cancel". */
  kind: string;
  outcome: Outcome;
  /** Refusal code of a 4xx problem, when there was one. */
  code?: string;
  at: number;
}

/** One invariant, as the report shows it. */
export interface InvariantResult {
  name: string;
  ok: boolean;
  /** The figure checked, in a sentence: "4,210 acknowledged redemptions, each once in redemption, the ledger and reporting". */
  figure: string;
  /** When not ok: what was found, a few examples at most. */
  violations?: string[];
}
