import { Injectable } from '@nestjs/common';
import { ReconciliationRepository } from './reconciliation.repository';

export interface Violation {
  invariant: string;
  detail: string;
  programId?: string;
  fundingLineId?: string;
  expectedCents?: number;
  actualCents?: number;
}

/** Every invariant of the ledger, checked from its tables; an empty list means all holds. */
@Injectable()
export class ReconciliationService {
  constructor(private readonly checks: ReconciliationRepository) {}

  async violations(): Promise<Violation[]> {
    const violations: Violation[] = [];
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
    const deadLetters = await this.checks.deadLetterCount();
    if (deadLetters > 0)
      violations.push({
        invariant: 'every_event_applied',
        detail: `${deadLetters} consumed message(s) could not be applied (dead letters)`,
      });
    return violations;
  }
}
