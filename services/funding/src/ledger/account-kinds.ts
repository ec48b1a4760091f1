/**
 * The accounts of a program, one set per funding line (architecture §5). The
 * funder's commitment is the source of the money; every other account holds
 * some of it, so per line: Σ holding balances = commitment = the line's budget.
 */
export const ACCOUNT_KINDS = [
  'funder_commitment',
  'program_unallocated',
  'agency_allocated',
  'passes_outstanding',
  'site_payable',
  'site_paid',
  'funder_released',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const HOLDING_KINDS = ACCOUNT_KINDS.filter((kind) => kind !== 'funder_commitment');

/** Why money moved; each kind goes from one account kind to another. */
export const MOVEMENTS = {
  budget_committed: { from: 'funder_commitment', to: 'program_unallocated' },
  allocation_granted: { from: 'program_unallocated', to: 'agency_allocated' },
  allocation_reduced: { from: 'agency_allocated', to: 'program_unallocated' },
  booklet_issued: { from: 'agency_allocated', to: 'passes_outstanding' },
  voucher_redeemed: { from: 'passes_outstanding', to: 'site_payable' },
  redemption_cancelled: { from: 'site_payable', to: 'passes_outstanding' },
  // A cancellation after the site was paid: the site owes it back, deducted from its next statement.
  settled_redemption_cancelled: { from: 'site_paid', to: 'passes_outstanding' },
  voucher_voided: { from: 'passes_outstanding', to: 'agency_allocated' },
  voucher_expired: { from: 'passes_outstanding', to: 'funder_released' },
  settlement_paid: { from: 'site_payable', to: 'site_paid' },
} as const satisfies Record<string, { from: AccountKind; to: AccountKind }>;
export type MovementKind = keyof typeof MOVEMENTS;
