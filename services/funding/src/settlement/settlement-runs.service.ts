import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Counter, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@app/observability';
import { AuthenticatedUser } from '@app/auth';
import { SettlementPaid, SettlementStatementIssued } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import { Problem, SERVICE_SETTINGS } from '@app/platform';
import { FundingSettings } from '../funding.settings';
import { addSplits } from '@app/money';
import { LedgerService } from '../ledger/ledger.service';
import { PayeesService } from '../payees/payees.service';
import { ProgramsService } from '../programs/programs.service';
import { sepaCreditTransferXml } from './sepa-file';
import { SettlementItem } from './settlement-item.repository';
import { OperationsClock, parisDay } from '@app/calendar';
import { periodOf, previousPeriod } from './settlement-period';
import { FunderShareRow, SettlementRepository, SettlementRun, Statement, StatementLine } from './settlement.repository';
import { renderStatementPdf } from './statement-pdf.renderer';

export const HELD_REASONS = {
  PAYEE_UNKNOWN:
    "Lieu inconnu du service de financement (aucune inscription reçue) : relevé émis, paiement suspendu jusqu'à réception de ses coordonnées.",
  NO_PAYOUT_ACCOUNT:
    "Aucun compte de paiement (IBAN et BIC) connu pour ce lieu : relevé émis, paiement suspendu jusqu'à ce qu'il en déclare un.",
};

export interface TimeToPay {
  medianDays: number;
  worstDays: number;
}

export interface StatementSummary extends Statement {
  held: boolean;
  timeToPay: TimeToPay | null;
}

export interface RunView extends SettlementRun {
  statementCount: number;
  /** What the payment file pays: this run's statements that are not held, and earlier held ones released into it. */
  paymentFile: { transactions: number; controlSumCents: number };
  /** Of this run's statements, what is still held. */
  heldCents: number;
  /** Statements of earlier runs, held then, that this run's payment file pays. */
  releasedStatements: Statement[];
  /** Sites whose pending items net to nothing or less (cancellations exceeding redemptions): carried to the next run. */
  carriedOverSiteIds?: string[];
  timeToPay: TimeToPay | null;
  statements: StatementSummary[];
}

export interface FunderStatement {
  runId: string;
  period: string;
  paid: boolean;
  funderId: string;
  funderName: string;
  totalCents: number;
  programs: Array<{ programId: string; programName: string; fundingLineId: string; amountCents: number }>;
}

const days = (seconds: number) => Math.round((seconds / 86_400) * 100) / 100;
const runNotFound = () => Problem.notFound('SETTLEMENT_RUN_NOT_FOUND', 'Campagne de règlement introuvable.');
const statementNotFound = () => Problem.notFound('SETTLEMENT_STATEMENT_NOT_FOUND', 'Relevé de règlement introuvable.');

/**
 * Monthly settlement: the operator, paying agent of the funders, pays each
 * site what it redeemed (net of cancellations of already settled redemptions),
 * in one SEPA payment file, and accounts to each funder for its share.
 */
@Injectable()
export class SettlementRunsService {
  private readonly statementsIssued: Counter;
  private readonly statementCents: Counter;
  private readonly paidCents: Counter;

  constructor(
    private readonly tx: TransactionHost,
    private readonly runs: SettlementRepository,
    private readonly payees: PayeesService,
    private readonly programs: ProgramsService,
    private readonly ledger: LedgerService,
    private readonly events: EventPublisher,
    @Inject(SERVICE_SETTINGS) private readonly settings: FundingSettings,
    private readonly clock: OperationsClock,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const registers = [registry];
    this.statementsIssued = new Counter({
      name: 'settlement_statements_issued_total',
      help: 'Site statements issued by settlement runs',
      registers,
    });
    this.statementCents = new Counter({
      name: 'settlement_statements_issued_cents_total',
      help: 'Total of the site statements issued, in cents',
      registers,
    });
    this.paidCents = new Counter({
      name: 'settlement_paid_cents_total',
      help: 'Cents paid to sites, counted at payment confirmation',
      registers,
    });
  }

  /**
   * Settles one period, once: a second run of a period is refused (409), so
   * nothing is paid twice. It takes every pending redemption made before the
   * period's end (earlier ones that arrived late included) and every pending
   * adjustment; later redemptions wait for the next period.
   */
  start(requestedPeriod: string | undefined, startedBy: string, now = this.clock.now()): Promise<RunView> {
    return this.tx.run(async () => {
      const { period, start, end } = periodOf(requestedPeriod ?? previousPeriod(now));
      if (end > now)
        throw Problem.unprocessable(
          'SETTLEMENT_PERIOD_NOT_OVER',
          `La période ${period} n'est pas terminée : elle ne peut pas encore être réglée.`,
        );
      await this.runs.lockRuns();
      if (await this.runs.findRunByPeriod(period))
        throw Problem.conflict(
          'SETTLEMENT_PERIOD_ALREADY_RUN',
          `La période ${period} a déjà été réglée : rien n'est payé deux fois.`,
          { period },
        );
      const runId = randomUUID();
      await this.runs.insertRun({ id: runId, period, periodStart: start, periodEnd: end, createdBy: startedBy });
      await this.releaseHeldStatements(runId);

      const bySite = new Map<string, SettlementItem[]>();
      for (const item of await this.runs.pendingItemsForUpdate(end))
        bySite.set(item.siteId, [...(bySite.get(item.siteId) ?? []), item]);
      const payees = await this.payees.findByIds([...bySite.keys()]);
      const issued = [];
      const carriedOverSiteIds: string[] = [];
      for (const [siteId, items] of bySite) {
        const totalCents = items.reduce((sum, item) => sum + item.amountCents, 0);
        if (totalCents <= 0) {
          carriedOverSiteIds.push(siteId);
          continue;
        }
        const payee = payees.get(siteId);
        const heldReason = !payee
          ? HELD_REASONS.PAYEE_UNKNOWN
          : !payee.iban || !payee.bic
            ? HELD_REASONS.NO_PAYOUT_ACCOUNT
            : null;
        const number = await this.runs.nextStatementNumber();
        const statement = {
          id: randomUUID(),
          runId,
          siteId,
          reference: `PN-${period}-${String(number).padStart(6, '0')}`,
          payeeName: payee?.name ?? `Lieu ${siteId}`,
          iban: payee?.iban ?? null,
          bic: payee?.bic ?? null,
          totalCents,
          heldReason,
          paymentRunId: heldReason ? null : runId,
        };
        await this.runs.insertStatement(
          statement,
          items.map((item) => item.id),
        );
        issued.push({ statement, lineCount: items.length });
      }
      const issuedCents = issued.reduce((sum, { statement }) => sum + statement.totalCents, 0);
      const issuedCount = issued.length;
      this.tx.afterCommit(() => {
        this.statementsIssued.inc(issuedCount);
        this.statementCents.inc(issuedCents);
      });
      await this.events.publishAll(
        SettlementStatementIssued,
        issued.map(({ statement, lineCount }) => ({
          statementId: statement.id,
          runId,
          siteId: statement.siteId,
          period,
          reference: statement.reference,
          totalCents: statement.totalCents,
          lineCount,
          held: statement.heldReason !== null,
          heldReason: statement.heldReason,
        })),
      );
      return { ...(await this.view(runId)), carriedOverSiteIds };
    });
  }

  /** Held statements whose site now has a payout account are paid by this run's file, unchanged. */
  private async releaseHeldStatements(runId: string): Promise<void> {
    const held = await this.runs.heldForUpdate();
    const payees = await this.payees.findByIds(held.map((statement) => statement.siteId));
    for (const statement of held) {
      const payee = payees.get(statement.siteId);
      if (payee?.iban && payee.bic) await this.runs.release(statement.id, runId, payee.iban, payee.bic);
    }
  }

  list(): Promise<SettlementRun[]> {
    return this.runs.listRuns();
  }

  view(runId: string): Promise<RunView> {
    return this.tx.run(async () => {
      const run = await this.runs.findRun(runId);
      if (!run) throw runNotFound();
      const statements = await this.runs.issuedBy(runId);
      const delays = new Map(
        (await this.runs.timeToPay(runId)).map((row) => [
          row.statementId,
          { medianDays: days(row.medianSeconds), worstDays: days(row.worstSeconds) },
        ]),
      );
      const payable = await this.runs.paidBy(runId);
      return {
        ...run,
        statementCount: statements.length,
        paymentFile: {
          transactions: payable.length,
          controlSumCents: payable.reduce((sum, s) => sum + s.totalCents, 0),
        },
        heldCents: statements.filter((s) => s.paymentRunId === null).reduce((sum, s) => sum + s.totalCents, 0),
        releasedStatements: payable.filter((s) => s.runId !== runId),
        timeToPay: delays.get(null) ?? null,
        statements: statements.map((s) => ({
          ...s,
          held: s.paymentRunId === null,
          timeToPay: delays.get(s.id) ?? null,
        })),
      };
    });
  }

  async statement(
    runId: string,
    statementId: string,
    user: AuthenticatedUser,
  ): Promise<Statement & { period: string; lines: StatementLine[] }> {
    const run = await this.runs.findRun(runId);
    const statement = await this.runs.statement(runId, statementId);
    // A site reads only its own statements; others look nonexistent.
    if (!run || !statement || (user.role === 'site' && user.org !== statement.siteId)) throw statementNotFound();
    return { ...statement, period: run.period, lines: await this.runs.lines(statementId) };
  }

  async statementPdf(
    runId: string,
    statementId: string,
    user: AuthenticatedUser,
  ): Promise<{ reference: string; pdf: Buffer }> {
    const statement = await this.statement(runId, statementId, user);
    const pdf = await renderStatementPdf({
      ...statement,
      heldReason: statement.paymentRunId === null ? statement.heldReason : null,
      operatorName: this.settings.OPERATOR_NAME,
      lines: statement.lines.map((line) => ({ ...line, adjustment: line.kind === 'adjustment' })),
    });
    return { reference: statement.reference, pdf };
  }

  /** The run's payment file; held statements are not in it until a later run releases them. */
  async sepaFile(runId: string, now = new Date()): Promise<{ fileName: string; xml: string }> {
    const run = await this.runs.findRun(runId);
    if (!run) throw runNotFound();
    const payable = await this.runs.paidBy(runId);
    if (payable.length === 0)
      throw Problem.conflict(
        'SETTLEMENT_NOTHING_TO_PAY',
        `La campagne ${run.period} ne contient aucun relevé à payer.`,
      );
    const xml = sepaCreditTransferXml({
      messageId: `PN-${run.period}-${run.id.slice(0, 8)}`,
      createdAt: now,
      executionDate: parisDay(now),
      debtor: { name: this.settings.OPERATOR_NAME, iban: this.settings.OPERATOR_IBAN, bic: this.settings.OPERATOR_BIC },
      transfers: payable.map((s) => ({
        reference: s.reference,
        amountCents: s.totalCents,
        creditorName: s.payeeName,
        iban: s.iban!,
        bic: s.bic!,
      })),
    });
    return { fileName: `virements-pass-numerique-${run.period}.xml`, xml };
  }

  /**
   * The operator confirms the bank executed the payment file: per statement
   * and program, what is still payable moves to paid. Redemptions cancelled
   * before this were already taken back from payable, and adjustments from
   * paid, so they are not posted again. Confirmed once (409 after).
   */
  confirmPayment(runId: string, confirmedBy: string, paidAt = new Date()): Promise<RunView> {
    return this.tx.run(async () => {
      const run = await this.runs.findRun(runId, true);
      if (!run) throw runNotFound();
      if (run.status === 'paid')
        throw Problem.conflict(
          'SETTLEMENT_RUN_ALREADY_PAID',
          `Le paiement de la campagne ${run.period} a déjà été confirmé.`,
        );
      const payable = await this.runs.paidBy(runId, true);
      for (const statement of payable) {
        const stillPayable = (await this.runs.items(statement.id)).filter(
          (item) => item.kind === 'redemption' && item.cancelledFrom !== 'site_payable',
        );
        const byProgram = new Map<string, SettlementItem[]>();
        for (const item of stillPayable)
          byProgram.set(item.programId, [...(byProgram.get(item.programId) ?? []), item]);
        for (const [programId, items] of byProgram) {
          const split = addSplits(items.map((item) => new Map(Object.entries(item.shares))));
          await this.ledger.move(
            await this.programs.require(programId),
            'settlement_paid',
            split,
            { from: statement.siteId, to: statement.siteId },
            { reference: statement.reference },
          );
        }
      }
      await this.runs.markPaid(runId, confirmedBy, paidAt);
      this.tx.afterCommit(() => this.paidCents.inc(payable.reduce((sum, s) => sum + s.totalCents, 0)));
      await this.events.publishAll(
        SettlementPaid,
        payable.map((s) => ({
          statementId: s.id,
          runId,
          siteId: s.siteId,
          reference: s.reference,
          amountCents: s.totalCents,
          paidAt: paidAt.toISOString(),
          confirmedBy,
        })),
      );
      return this.view(runId);
    });
  }

  /** Per funder, its share of what the run pays, per program; a funder sees only its own. */
  async funderStatements(runId: string, user: AuthenticatedUser): Promise<FunderStatement[]> {
    const run = await this.runs.findRun(runId);
    if (!run) throw runNotFound();
    const rows = await this.runs.funderShares(runId, user.role === 'funder' ? user.org! : undefined);
    const byFunder = new Map<string, FunderShareRow[]>();
    for (const row of rows) byFunder.set(row.funderId, [...(byFunder.get(row.funderId) ?? []), row]);
    return [...byFunder.values()].map((funderRows) => ({
      runId,
      period: run.period,
      paid: run.status === 'paid',
      funderId: funderRows[0].funderId,
      funderName: funderRows[0].funderName,
      totalCents: funderRows.reduce((sum, row) => sum + row.amountCents, 0),
      programs: funderRows.map(({ programId, programName, fundingLineId, amountCents }) => ({
        programId,
        programName,
        fundingLineId,
        amountCents,
      })),
    }));
  }
}
