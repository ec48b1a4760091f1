import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';

export interface LineTotals {
  programId: string;
  fundingLineId: string;
  budgetCents: number;
  shareBasisPoints: number;
  committedCents: number;
  heldCents: number;
}

/** Set-based checks over the whole ledger, each returning what violates an invariant. */
@Injectable()
export class ReconciliationRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Per funding line: money committed by the funder and money held by the other accounts. */
  async lineTotals(): Promise<LineTotals[]> {
    const rows = await this.tx.manager.query(`
      SELECT l.program_id, l.id AS funding_line_id, p.budget_cents, l.share_basis_points,
             COALESCE(sum(a.debits_posted - a.credits_posted) FILTER (WHERE a.kind = 'funder_commitment'), 0) AS committed,
             COALESCE(sum(a.credits_posted - a.debits_posted) FILTER (WHERE a.kind <> 'funder_commitment'), 0) AS held
        FROM funding_lines l
        JOIN programs p ON p.id = l.program_id
        LEFT JOIN ledger_accounts a ON a.funding_line_id = l.id
       GROUP BY l.program_id, l.id, p.budget_cents, l.share_basis_points
       ORDER BY l.program_id, l.position`);
    return rows.map((r: Record<string, string>) => ({
      programId: r.program_id,
      fundingLineId: r.funding_line_id,
      budgetCents: Number(r.budget_cents),
      shareBasisPoints: Number(r.share_basis_points),
      committedCents: Number(r.committed),
      heldCents: Number(r.held),
    }));
  }

  async negativeBalances(): Promise<
    Array<{ accountId: string; programId: string; kind: string; balanceCents: number }>
  > {
    const rows = await this.tx.manager.query(`
      SELECT id, program_id, kind,
             CASE WHEN kind = 'funder_commitment' THEN debits_posted - credits_posted ELSE credits_posted - debits_posted END AS balance
        FROM ledger_accounts
       WHERE CASE WHEN kind = 'funder_commitment' THEN debits_posted - credits_posted ELSE credits_posted - debits_posted END < 0`);
    return rows.map((r: Record<string, string>) => ({
      accountId: r.id,
      programId: r.program_id,
      kind: r.kind,
      balanceCents: Number(r.balance),
    }));
  }

  /** An event posted by more than one movement would have been applied twice. */
  async eventsPostedTwice(): Promise<Array<{ sourceEventId: string; movements: number }>> {
    const rows = await this.tx.manager.query(`
      SELECT source_event_id, count(DISTINCT movement_id)::int AS movements
        FROM ledger_transfers WHERE source_event_id IS NOT NULL
       GROUP BY source_event_id HAVING count(DISTINCT movement_id) > 1`);
    return rows.map((r: Record<string, string>) => ({
      sourceEventId: r.source_event_id,
      movements: Number(r.movements),
    }));
  }

  /** Each account's posted totals must equal the sum of its transfers. */
  async accountsOutOfStepWithTransfers(): Promise<Array<{ accountId: string }>> {
    return this.tx.manager.query(`
      SELECT a.id AS "accountId"
        FROM ledger_accounts a
        LEFT JOIN (SELECT debit_account_id AS id, sum(amount_cents) AS total FROM ledger_transfers GROUP BY debit_account_id) d ON d.id = a.id
        LEFT JOIN (SELECT credit_account_id AS id, sum(amount_cents) AS total FROM ledger_transfers GROUP BY credit_account_id) c ON c.id = a.id
       WHERE a.debits_posted <> COALESCE(d.total, 0) OR a.credits_posted <> COALESCE(c.total, 0)`);
  }

  /** A statement's total must be the sum of its lines. */
  async statementsNotMatchingLines(): Promise<Array<{ reference: string; totalCents: number; linesCents: number }>> {
    const rows = await this.tx.manager.query(`
      SELECT s.reference, s.total_cents, COALESCE(sum(i.amount_cents), 0) AS lines
        FROM settlement_statements s LEFT JOIN settlement_items i ON i.statement_id = s.id
       GROUP BY s.id HAVING s.total_cents <> COALESCE(sum(i.amount_cents), 0)`);
    return rows.map((r: Record<string, string>) => ({
      reference: r.reference,
      totalCents: Number(r.total_cents),
      linesCents: Number(r.lines),
    }));
  }

  /** Each pass the ledger holds as redeemed has exactly one live settlement item, and no other pass has one. */
  async redemptionsWithoutOneSettlementItem(): Promise<number> {
    const [{ count }] = await this.tx.manager.query(`
      SELECT count(*)::int AS count FROM ledger_passes p
        FULL JOIN (SELECT pass_id, count(*) AS n FROM settlement_items WHERE kind = 'redemption' AND status IN ('pending', 'settled') GROUP BY pass_id) i ON i.pass_id = p.pass_id
       WHERE COALESCE(p.state = 'redeemed', false) <> COALESCE(i.n = 1, false)`);
    return count;
  }
}
