import { Injectable } from '@nestjs/common';
import {
  AllocationReleased,
  BookletIssued,
  RedemptionCancelled,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
} from '@app/contracts';
import { DeadLetterRepository } from '@app/messaging';
import { ReconciliationRepository } from './reconciliation.repository';

/** What reconciliation found: a violated invariant, or (as a warning) something to look at that breaks none. */
export interface Finding {
  invariant: string;
  detail: string;
  programId?: string;
  fundingLineId?: string;
  expectedCents?: number;
  actualCents?: number;
  /** Dead letters: the event type they carry (null: not a valid event) and how many are open. */
  eventType?: string | null;
  deadLetters?: number;
}

export interface Reconciliation {
  violations: Finding[];
  warnings: Finding[];
}

/**
 * The events funding posts to the ledger. One left open in the dead letters
 * is money the ledger misses (a pass still outstanding, a redemption nobody
 * will pay): a violation until it is replayed or discarded. Any other dead
 * letter (an agency's or a site's details, a message that is not an event)
 * carries no money: a warning.
 */
const MONEY_EVENT_TYPES: ReadonlySet<string> = new Set(
  [BookletIssued, AllocationReleased, VoucherRedeemed, RedemptionCancelled, VoucherVoided, VoucherExpired].map(
    (definition) => definition.type,
  ),
);

/** Every invariant of the ledger, checked from its tables; no violation means all holds. */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly checks: ReconciliationRepository,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  async check(): Promise<Reconciliation> {
    const violations: Finding[] = [];
    const lines = await this.checks.lineTotals();
    const programs = new Map<string, typeof lines>();
    for (const line of lines) programs.set(line.programId, [...(programs.get(line.programId) ?? []), line]);

    for (const [programId, programLines] of programs) {
      const budget = programLines[0].budgetCents;
      const committed = programLines.reduce((sum, line) => sum + line.committedCents, 0);
      const held = programLines.reduce((sum, line) => sum + line.heldCents, 0);
      if (committed !== budget)
        violations.push({
          invariant: 'budget_committed',
          detail: 'The funders committed a different amount than the budget',
          programId,
          expectedCents: budget,
          actualCents: committed,
        });
      if (held !== budget)
        violations.push({
          invariant: 'program_conservation',
          detail: "The program's accounts do not sum to its budget",
          programId,
          expectedCents: budget,
          actualCents: held,
        });
      for (const line of programLines) {
        if (line.heldCents !== line.committedCents) {
          violations.push({
            invariant: 'funding_line_conservation',
            detail: "The line's accounts do not sum to what its funder committed",
            programId,
            fundingLineId: line.fundingLineId,
            expectedCents: line.committedCents,
            actualCents: line.heldCents,
          });
        }
      }
    }
    for (const account of await this.checks.negativeBalances()) {
      violations.push({
        invariant: 'no_negative_balance',
        detail: `Account ${account.accountId} (${account.kind}) is overdrawn`,
        programId: account.programId,
        actualCents: account.balanceCents,
      });
    }
    for (const account of await this.checks.accountsOutOfStepWithTransfers()) {
      violations.push({
        invariant: 'accounts_match_transfers',
        detail: `Account ${account.accountId} totals differ from its transfers`,
      });
    }
    for (const event of await this.checks.eventsPostedTwice()) {
      violations.push({
        invariant: 'event_applied_once',
        detail: `Event ${event.sourceEventId} was posted by ${event.movements} movements`,
      });
    }
    for (const statement of await this.checks.statementsNotMatchingLines()) {
      violations.push({
        invariant: 'statement_matches_lines',
        detail: `Statement ${statement.reference} totals ${statement.totalCents} cents, its lines ${statement.linesCents}`,
        expectedCents: statement.linesCents,
        actualCents: statement.totalCents,
      });
    }
    const unmatched = await this.checks.redemptionsWithoutOneSettlementItem();
    if (unmatched > 0)
      violations.push({
        invariant: 'redemption_settled_once',
        detail: `${unmatched} pass(es) redeemed in the ledger without exactly one settlement item, or the reverse`,
      });
    const warnings: Finding[] = [];
    for (const { eventType, count } of await this.deadLetters.openCountsByEventType()) {
      const finding = { invariant: 'every_event_applied', eventType, deadLetters: count };
      if (eventType !== null && MONEY_EVENT_TYPES.has(eventType))
        violations.push({
          ...finding,
          detail: `${count} ${eventType} event(s) could not be applied (open dead letters): money the ledger misses until each is replayed once its cause is fixed, or discarded with a reason`,
        });
      else
        warnings.push({
          ...finding,
          detail:
            eventType === null
              ? `${count} consumed message(s) that are not a valid event could not be applied (open dead letters): they carry no money; discard them with a reason`
              : `${count} ${eventType} event(s), which carry no money, could not be applied (open dead letters): replay or discard them`,
        });
    }
    return { violations, warnings };
  }
}
