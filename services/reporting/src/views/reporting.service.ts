import { Injectable } from '@nestjs/common';
import { AGE_BANDS, DIAGNOSTIC_LEVELS, SITUATIONS } from '@app/contracts';
import { AuthenticatedUser } from '@app/auth';
import { MessagingStatus } from '@app/messaging';
import { GenerationRepository } from '../projection/generation.repository';
import { splitPerPass } from '@app/money';
import { PassMetrics, passMetricsOf } from './metrics';
import { ProgramAccessService } from './program-access.service';
import { Breakdown, suppressBreakdown } from './suppression';
import { ViewsRepository } from './views.repository';

export interface Freshness {
  /** Messages not yet consumed, per topic; null when the broker did not answer. */
  lagByTopic: Record<string, number> | null;
  /** When the latest applied event happened. */
  lastEventAt: string | null;
}

const n = (value: unknown) => Number(value ?? 0);

/** The funder and operator views, read from the active generation of the read models. */
@Injectable()
export class ReportingService {
  constructor(
    private readonly generations: GenerationRepository,
    private readonly views: ViewsRepository,
    private readonly access: ProgramAccessService,
    private readonly messaging: MessagingStatus,
  ) {}

  async freshness(generation?: number): Promise<Freshness> {
    const [lagByTopic, lastEventAt] = await Promise.all([
      this.messaging.lagByTopic().catch(() => null),
      this.views.lastEventAt(generation ?? (await this.generations.active())),
    ]);
    return { lagByTopic, lastEventAt };
  }

  async programs(user: AuthenticatedUser) {
    const scope = this.access.funderScope(user);
    const generation = await this.generations.active();
    return { items: await this.programItems(generation, scope), freshness: await this.freshness(generation) };
  }

  private async programItems(generation: number, funderId: string | null, programId?: string) {
    const rows = (await this.views.programs(generation, funderId)).filter(
      (r) => !programId || r.program_id === programId,
    );
    return rows.map((r) => ({
      programId: r.program_id as string,
      name: r.name as string,
      budgetCents: n(r.budget_cents),
      closed: r.closed as boolean,
      faceValueCents: n(r.face_value_cents),
      bookletSize: n(r.booklet_size),
      validFrom: r.valid_from as string,
      validUntil: r.valid_until as string,
      territory: r.territory as string[],
    }));
  }

  async summary(user: AuthenticatedUser, programId: string) {
    const generation = await this.access.readableProgram(user, programId);
    return { ...(await this.summaryOf(generation, programId)), freshness: await this.freshness(generation) };
  }

  private async summaryOf(generation: number, programId: string) {
    const [program] = await this.programItems(generation, null, programId);
    const row = await this.views.summary(generation, programId);
    return {
      ...program,
      allocatedCents: n(row.allocated_cents),
      ...passMetricsOf(row),
      fundingLines: await this.fundingLines(generation, programId),
    };
  }

  /** Each line's part of every amount, split pass by pass as the ledger does. */
  private async fundingLines(generation: number, programId: string) {
    const lines = await this.views.fundingLines(generation, programId);
    const shares = lines.map((l) => ({
      id: l.funding_line_id as string,
      shareBasisPoints: n(l.share_basis_points),
      position: n(l.position),
    }));
    const parts = new Map(shares.map((s) => [s.id, { issued: 0, redeemed: 0, voided: 0, expired: 0, issuedOnly: 0 }]));
    for (const group of await this.views.passesByAmountAndStatus(generation, programId)) {
      for (const [lineId, cents] of splitPerPass(n(group.amount_cents), n(group.n), shares)) {
        const line = parts.get(lineId)!;
        line.issued += cents;
        const status = group.status as 'issued' | 'redeemed' | 'voided' | 'expired';
        if (status === 'issued') line.issuedOnly += cents;
        else line[status] += cents;
      }
    }
    return lines.map((l) => {
      const p = parts.get(l.funding_line_id as string)!;
      return {
        fundingLineId: l.funding_line_id as string,
        funderId: l.funder_id as string,
        funderName: (l.funder_name as string | null) ?? null,
        shareBasisPoints: n(l.share_basis_points),
        budgetCents: n(l.budget_cents),
        allocatedCents: n(l.allocated_cents),
        /** Released value credited back to the funder once the program's passes expired. */
        creditedCents: n(l.credited_cents),
        issuedCents: p.issued,
        redeemedCents: p.redeemed,
        voidedCents: p.voided,
        expiredCents: p.expired,
        outstandingCents: p.issuedOnly,
      };
    });
  }

  async byAgency(user: AuthenticatedUser, programId: string) {
    const generation = await this.access.readableProgram(user, programId);
    return { items: await this.byAgencyItems(generation, programId), freshness: await this.freshness(generation) };
  }

  private async byAgencyItems(generation: number, programId: string) {
    return (await this.views.byAgency(generation, programId)).map((r) => ({
      agencyId: r.agency_id as string,
      name: (r.name as string | null) ?? null,
      departement: (r.departement as string | null) ?? null,
      allocatedCents: n(r.allocated_cents),
      ...passMetricsOf(r),
    }));
  }

  async bySite(user: AuthenticatedUser, programId: string) {
    const generation = await this.access.readableProgram(user, programId);
    return { items: await this.bySiteItems(generation, programId), freshness: await this.freshness(generation) };
  }

  private async bySiteItems(generation: number, programId: string) {
    const sites = await this.views.bySite(generation, programId);
    const payments = new Map(
      (
        await this.views.sitePayments(
          generation,
          sites.map((s) => s.site_id as string),
        )
      ).map((p) => [p.site_id as string, p]),
    );
    const nullable = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    return sites.map((r) => {
      const p = payments.get(r.site_id as string) ?? {};
      return {
        siteId: r.site_id as string,
        name: (r.name as string | null) ?? null,
        departement: (r.departement as string | null) ?? null,
        passesRedeemed: n(r.passes_redeemed),
        redeemedCents: n(r.redeemed_cents),
        booklets: n(r.booklets),
        // Statements cover a site's month across programs: these figures are the site's, all programs together.
        settlement: {
          statements: n(p.statements),
          heldStatements: n(p.held_statements),
          statementCents: n(p.statement_cents),
          paidCents: n(p.paid_cents),
          awaitingPaymentCents: n(p.awaiting_cents),
          averagePaymentDelayDays: nullable(p.average_delay_days),
          maxPaymentDelayDays: nullable(p.max_delay_days),
          oldestUnpaidDays: nullable(p.oldest_unpaid_days),
        },
      };
    });
  }

  async byDepartement(user: AuthenticatedUser, programId: string) {
    const generation = await this.access.readableProgram(user, programId);
    return { items: await this.byDepartementItems(generation, programId), freshness: await this.freshness(generation) };
  }

  private async byDepartementItems(generation: number, programId: string) {
    return (await this.views.byDepartement(generation, programId)).map((r) => ({
      departement: (r.departement as string) || null,
      issuedByAgencies: passMetricsOf(r),
      redeemedAtSites: { passes: n(r.site_passes_redeemed), cents: n(r.site_redeemed_cents) },
    }));
  }

  async byDay(user: AuthenticatedUser, programId: string) {
    const generation = await this.access.readableProgram(user, programId);
    return { items: await this.byDayItems(generation, programId), freshness: await this.freshness(generation) };
  }

  private async byDayItems(generation: number, programId: string) {
    return (await this.views.byDay(generation, programId)).map((r) => ({
      day: r.day as string,
      bookletsIssued: n(r.booklets_issued),
      passesIssued: n(r.passes_issued),
      issuedCents: n(r.issued_cents),
      passesRedeemed: n(r.passes_redeemed),
      redeemedCents: n(r.redeemed_cents),
      passesVoided: n(r.passes_voided),
      voidedCents: n(r.voided_cents),
      passesExpired: n(r.passes_expired),
      expiredCents: n(r.expired_cents),
    }));
  }

  /** Beneficiaries per age band, situation and diagnostic level, with small cells suppressed. */
  async profiles(user: AuthenticatedUser, programId: string) {
    const generation = await this.access.readableProgram(user, programId);
    const rows = await this.views.profiles(generation, programId);
    const breakdown = (dimension: string, categories: readonly string[]): Breakdown => {
      const counts = Object.fromEntries(categories.map((c) => [c, 0]));
      for (const r of rows) if (r.dimension === dimension) counts[r.category as string] = n(r.n);
      return suppressBreakdown(counts);
    };
    return {
      programId,
      unit: 'beneficiaries',
      ageBand: breakdown('ageBand', [...AGE_BANDS, 'unknown']),
      situation: breakdown('situation', SITUATIONS),
      diagnosticLevel: breakdown('diagnosticLevel', DIAGNOSTIC_LEVELS),
      freshness: await this.freshness(generation),
    };
  }

  /** For the aggregates export: every view of one program, flattened. */
  async aggregateRows(
    user: AuthenticatedUser,
    programId: string,
  ): Promise<Array<{ dimension: string; key: string; label: string; metrics: Partial<PassMetrics> }>> {
    const generation = await this.access.readableProgram(user, programId);
    const summary = await this.summaryOf(generation, programId);
    const rows: Array<{ dimension: string; key: string; label: string; metrics: Partial<PassMetrics> }> = [
      { dimension: 'programme', key: programId, label: summary.name, metrics: summary },
    ];
    for (const a of await this.byAgencyItems(generation, programId))
      rows.push({ dimension: 'agence', key: a.agencyId, label: a.name ?? '', metrics: a });
    for (const s of await this.bySiteItems(generation, programId)) {
      rows.push({
        dimension: 'site',
        key: s.siteId,
        label: s.name ?? '',
        metrics: { passesRedeemed: s.passesRedeemed, redeemedCents: s.redeemedCents },
      });
    }
    for (const d of await this.byDepartementItems(generation, programId)) {
      const key = d.departement ?? '';
      rows.push({ dimension: 'département (agence)', key, label: key, metrics: d.issuedByAgencies });
      rows.push({
        dimension: 'département (site)',
        key,
        label: key,
        metrics: { passesRedeemed: d.redeemedAtSites.passes, redeemedCents: d.redeemedAtSites.cents },
      });
    }
    for (const d of await this.byDayItems(generation, programId)) {
      rows.push({ dimension: 'jour', key: d.day, label: d.day, metrics: { ...d, redemptionRate: undefined } });
    }
    return rows;
  }
}
