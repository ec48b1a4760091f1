import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/database';
import { SettlementItem, toItem } from './settlement-item.repository';

export interface SettlementRun {
  id: string;
  period: string;
  periodStart: Date;
  periodEnd: Date;
  status: 'issued' | 'paid';
  createdBy: string;
  createdAt: Date;
  paidBy: string | null;
  paidAt: Date | null;
}

export interface Statement {
  id: string;
  runId: string;
  siteId: string;
  reference: string;
  payeeName: string;
  iban: string | null;
  bic: string | null;
  totalCents: number;
  heldReason: string | null;
  /** Null while held. */
  paymentRunId: string | null;
  paidAt: Date | null;
}

export interface StatementLine {
  itemId: string;
  kind: 'redemption' | 'adjustment';
  passId: string;
  redeemedAt: Date;
  amountCents: number;
  programId: string;
  programName: string;
  shares: Array<{ fundingLineId: string; funderId: string; funderName: string; amountCents: number }>;
}

export interface TimeToPayRow {
  statementId: string | null;
  medianSeconds: number;
  worstSeconds: number;
}

export interface FunderShareRow {
  funderId: string;
  funderName: string;
  programId: string;
  programName: string;
  fundingLineId: string;
  amountCents: number;
}

function toRun(r: Record<string, never>): SettlementRun {
  return {
    id: r.id,
    period: r.period,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    status: r.status,
    createdBy: r.created_by,
    createdAt: r.created_at,
    paidBy: r.paid_by,
    paidAt: r.paid_at,
  };
}

function toStatement(r: Record<string, never>): Statement {
  return {
    id: r.id,
    runId: r.run_id,
    siteId: r.site_id,
    reference: r.reference,
    payeeName: r.payee_name,
    iban: r.iban,
    bic: r.bic,
    totalCents: Number(r.total_cents),
    heldReason: r.held_reason,
    paymentRunId: r.payment_run_id,
    paidAt: r.paid_at,
  };
}

/** Settlement runs and their statements; each statement's lines are the items it settled. */
@Injectable()
export class SettlementRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Settlement runs happen one at a time, whoever starts them (HTTP or the monthly job). */
  async lockRuns(): Promise<void> {
    await this.tx
      .requireTransaction('Running a settlement')
      .query(`SELECT pg_advisory_xact_lock(hashtextextended('settlement-runs', 0))`);
  }

  async findRunByPeriod(period: string): Promise<SettlementRun | null> {
    const [row] = await this.tx.manager.query(`SELECT * FROM settlement_runs WHERE period = $1`, [period]);
    return row ? toRun(row) : null;
  }

  async insertRun(
    run: Pick<SettlementRun, 'id' | 'period' | 'periodStart' | 'periodEnd' | 'createdBy'>,
  ): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO settlement_runs (id, period, period_start, period_end, created_by) VALUES ($1, $2, $3, $4, $5)`,
      [run.id, run.period, run.periodStart, run.periodEnd, run.createdBy],
    );
  }

  async findRun(id: string, forUpdate = false): Promise<SettlementRun | null> {
    const [row] = await this.tx.manager.query(
      `SELECT * FROM settlement_runs WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return row ? toRun(row) : null;
  }

  async listRuns(): Promise<SettlementRun[]> {
    return (await this.tx.manager.query(`SELECT * FROM settlement_runs ORDER BY period DESC`)).map(toRun);
  }

  /** Redemptions made before the cut-off and every adjustment, not yet in a statement; locked against concurrent cancellations. */
  async pendingItemsForUpdate(cutOff: Date): Promise<SettlementItem[]> {
    const rows = await this.tx.manager.query(
      `SELECT * FROM settlement_items WHERE status = 'pending' AND (kind = 'adjustment' OR redeemed_at < $1) ORDER BY site_id, redeemed_at, id FOR UPDATE`,
      [cutOff],
    );
    return rows.map(toItem);
  }

  async nextStatementNumber(): Promise<number> {
    const [{ n }] = await this.tx.manager.query(`SELECT nextval('settlement_statement_number')::int AS n`);
    return n;
  }

  async insertStatement(statement: Omit<Statement, 'paidAt'>, itemIds: string[]): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO settlement_statements (id, run_id, site_id, reference, payee_name, iban, bic, total_cents, held_reason, payment_run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        statement.id,
        statement.runId,
        statement.siteId,
        statement.reference,
        statement.payeeName,
        statement.iban,
        statement.bic,
        statement.totalCents,
        statement.heldReason,
        statement.paymentRunId,
      ],
    );
    await this.tx.manager.query(
      `UPDATE settlement_items SET status = 'settled', statement_id = $2 WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
      [itemIds, statement.id],
    );
  }

  /** The statements a run issued (held ones included). */
  async issuedBy(runId: string): Promise<Statement[]> {
    return (
      await this.tx.manager.query(`SELECT * FROM settlement_statements WHERE run_id = $1 ORDER BY reference`, [runId])
    ).map(toStatement);
  }

  /** The statements a run's payment file pays; locked, so a cancellation of one of their items waits for the payment confirmation, or it for the cancellation. */
  async paidBy(runId: string, forUpdate = false): Promise<Statement[]> {
    const rows = await this.tx.manager.query(
      `SELECT * FROM settlement_statements WHERE payment_run_id = $1 ORDER BY reference ${forUpdate ? 'FOR UPDATE' : ''}`,
      [runId],
    );
    return rows.map(toStatement);
  }

  async heldForUpdate(): Promise<Statement[]> {
    return (
      await this.tx.manager.query(
        `SELECT * FROM settlement_statements WHERE payment_run_id IS NULL ORDER BY reference FOR UPDATE`,
      )
    ).map(toStatement);
  }

  /** A held statement goes into a run's payment file once its site has an account; its lines and total never change. */
  async release(statementId: string, paymentRunId: string, iban: string, bic: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE settlement_statements SET payment_run_id = $2, iban = $3, bic = $4 WHERE id = $1 AND payment_run_id IS NULL`,
      [statementId, paymentRunId, iban, bic],
    );
  }

  async statement(runId: string, statementId: string): Promise<Statement | null> {
    const [row] = await this.tx.manager.query(`SELECT * FROM settlement_statements WHERE run_id = $1 AND id = $2`, [
      runId,
      statementId,
    ]);
    return row ? toStatement(row) : null;
  }

  async items(statementId: string): Promise<SettlementItem[]> {
    return (
      await this.tx.manager.query(`SELECT * FROM settlement_items WHERE statement_id = $1 ORDER BY redeemed_at, id`, [
        statementId,
      ])
    ).map(toItem);
  }

  async lines(statementId: string): Promise<StatementLine[]> {
    const rows = await this.tx.manager.query(
      `SELECT i.id, i.kind, i.pass_id, i.redeemed_at, i.amount_cents, i.program_id, p.name AS program_name,
              (SELECT json_agg(json_build_object('fundingLineId', l.id, 'funderId', l.funder_id, 'funderName', f.name,
                                                 'amountCents', COALESCE((i.shares ->> l.id::text)::int, 0)) ORDER BY l.position)
                 FROM funding_lines l JOIN funders f ON f.id = l.funder_id WHERE l.program_id = i.program_id) AS shares
         FROM settlement_items i JOIN programs p ON p.id = i.program_id
        WHERE i.statement_id = $1 ORDER BY i.redeemed_at, i.id`,
      [statementId],
    );
    return rows.map((r: Record<string, never>) => ({
      itemId: String(r.id),
      kind: r.kind,
      passId: r.pass_id,
      redeemedAt: r.redeemed_at,
      amountCents: Number(r.amount_cents),
      programId: r.program_id,
      programName: r.program_name,
      shares: r.shares,
    }));
  }

  async markPaid(runId: string, paidBy: string, paidAt: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE settlement_runs SET status = 'paid', paid_by = $2, paid_at = $3 WHERE id = $1`,
      [runId, paidBy, paidAt],
    );
    await this.tx.manager.query(`UPDATE settlement_statements SET paid_at = $2 WHERE payment_run_id = $1`, [
      runId,
      paidAt,
    ]);
  }

  /** Median and worst delay from redemption to payment, per paid statement and (statementId null) for the whole run. */
  async timeToPay(runId: string): Promise<TimeToPayRow[]> {
    const rows = await this.tx.manager.query(
      `SELECT s.id AS statement_id,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.paid_at - i.redeemed_at)) AS median,
              max(extract(epoch FROM s.paid_at - i.redeemed_at)) AS worst
         FROM settlement_statements s JOIN settlement_items i ON i.statement_id = s.id AND i.kind = 'redemption'
        WHERE s.payment_run_id = $1 AND s.paid_at IS NOT NULL
        GROUP BY ROLLUP (s.id)`,
      [runId],
    );
    return rows.map((r: Record<string, string>) => ({
      statementId: r.statement_id,
      medianSeconds: Number(r.median),
      worstSeconds: Number(r.worst),
    }));
  }

  /** Each funder's share of the statements in a run's payment file, per program (adjustments count negative). */
  async funderShares(runId: string, funderId?: string): Promise<FunderShareRow[]> {
    const rows = await this.tx.manager.query(
      `SELECT l.funder_id, f.name AS funder_name, p.id AS program_id, p.name AS program_name, l.id AS funding_line_id,
              sum(COALESCE((i.shares ->> l.id::text)::bigint, 0)) AS amount
         FROM settlement_statements s
         JOIN settlement_items i ON i.statement_id = s.id
         JOIN programs p ON p.id = i.program_id
         JOIN funding_lines l ON l.program_id = p.id
         JOIN funders f ON f.id = l.funder_id
        WHERE s.payment_run_id = $1 AND ($2::uuid IS NULL OR l.funder_id = $2)
        GROUP BY l.funder_id, f.name, p.id, p.name, l.id
        ORDER BY f.name, p.name`,
      [runId, funderId ?? null],
    );
    return rows.map((r: Record<string, string>) => ({
      funderId: r.funder_id,
      funderName: r.funder_name,
      programId: r.program_id,
      programName: r.program_name,
      fundingLineId: r.funding_line_id,
      amountCents: Number(r.amount),
    }));
  }
}
