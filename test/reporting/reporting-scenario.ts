import { randomUUID } from 'node:crypto';
import type { BookletIssuedV1, EventEnvelope } from '@app/contracts';
import {
  AGE_BANDS,
  AgencyRegistered,
  AllocationGranted,
  AllocationReduced,
  BookletIssued,
  DIAGNOSTIC_LEVELS,
  FunderCreditNoteIssued,
  FunderRegistered,
  ProgramBudgetIncreased,
  ProgramOpened,
  RedemptionCancelled,
  SITUATIONS,
  SettlementPaid,
  SettlementStatementIssued,
  SiteRegistered,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
  VoucherVoidRejected,
  VoucherVoidRequested,
} from '@app/contracts';
import { hashPassCode } from '@app/pass-codes';
import { envelopeOf, siretFor } from '@app/testing';
import type { PassMetrics } from '../../services/reporting/src/views/metrics';

/** What the model predicts for a group of passes: reporting's metrics but the rate. */
export type Totals = Omit<PassMetrics, 'redemptionRate'>;

type PassState = { status: 'issued' | 'redeemed' | 'voided' | 'expired'; siteId: string | null; at: string | null };
interface ModelBooklet {
  bookletId: string;
  programId: string;
  agencyId: string;
  issuedAt: string;
  passes: Map<string, PassState>;
  amount: number;
}

const parisDay = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(iso));

/**
 * Builds the events of issuance, redemption and funding for a random
 * scenario, and keeps the model of what reporting must show once it applied them.
 */
export class ReportingScenario {
  readonly funding: EventEnvelope<object>[] = [];
  readonly issuance: EventEnvelope<object>[] = [];
  readonly redemption: EventEnvelope<object>[] = [];
  readonly funders: Record<'a' | 'b' | 'c' | 'd' | 'e', string> = {
    a: randomUUID(),
    b: randomUUID(),
    c: randomUUID(),
    d: randomUUID(),
    e: randomUUID(),
  };
  readonly programs = { coFunded: randomUUID(), single: randomUUID() };
  readonly agencies: Array<{ id: string; departement: string }> = [];
  readonly sites: Array<{ id: string; departement: string }> = [];
  readonly booklets: ModelBooklet[] = [];
  readonly allocated = new Map<string, number>();
  /** Beneficiaries of the co-funded program, with the profile of their latest booklet. */
  readonly beneficiaries = new Map<string, { ageBand: string; situation: string; diagnosticLevel: string }>();
  /** A pass redeemed, cancelled and redeemed again, for the audit trail. */
  auditedPass?: { passId: string; bookletId: string };
  singleFundingLine = '';
  private seed = 7000;
  private clock = Date.parse('2026-03-01T08:00:00.000Z');

  constructor(private readonly random: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  /** Moves time forward by up to a few hours, across Paris midnights. */
  private tick(): string {
    this.clock += Math.floor(this.random() * 5 * 3600_000) + 1000;
    return new Date(this.clock).toISOString();
  }

  setUp(): void {
    for (const [key, id] of Object.entries(this.funders)) {
      this.funding.push(
        envelopeOf(FunderRegistered, {
          funderId: id,
          name: `Financeur ${key.toUpperCase()}`,
          kind: 'state',
          siret: siretFor(++this.seed),
        }),
      );
    }
    const lines = (entries: Array<[string, number]>) =>
      entries.map(([funderId, shareBasisPoints]) => ({ fundingLineId: randomUUID(), funderId, shareBasisPoints }));
    const program = (programId: string, fundingLines: ReturnType<typeof lines>, budgetCents: number) =>
      envelopeOf(ProgramOpened, {
        programId,
        name: `Programme ${programId.slice(0, 4)}`,
        faceValueCents: 1000,
        bookletSize: 10,
        validFrom: '2026-01-01',
        validUntil: '2026-12-31',
        toleranceDays: 31,
        territory: ['31', '09', '32'],
        fundingLines,
        leadFunderId: fundingLines[0].funderId,
        budgetCents,
        openedBy: 'operator-1',
      });
    this.funding.push(
      program(
        this.programs.coFunded,
        lines([
          [this.funders.a, 3334],
          [this.funders.b, 3333],
          [this.funders.c, 3333],
        ]),
        5_000_000,
      ),
    );
    const singleLines = lines([[this.funders.d, 10000]]);
    this.funding.push(program(this.programs.single, singleLines, 1_000_000));
    this.singleFundingLine = singleLines[0].fundingLineId;
    this.funding.push(
      envelopeOf(ProgramBudgetIncreased, {
        programId: this.programs.coFunded,
        amountCents: 1_000_001,
        budgetCents: 6_000_001,
        increasedBy: 'operator-1',
      }),
    );
    for (const departement of ['31', '31', '09', '32']) {
      const id = randomUUID();
      this.agencies.push({ id, departement });
      this.issuance.push(
        envelopeOf(AgencyRegistered, {
          agencyId: id,
          name: `Agence ${id.slice(0, 4)}`,
          kind: 'france_travail',
          departement,
          siret: siretFor(++this.seed),
        }),
      );
    }
    for (const departement of ['31', '09', '32']) {
      const id = randomUUID();
      this.sites.push({ id, departement });
      this.redemption.push(
        envelopeOf(SiteRegistered, {
          siteId: id,
          name: `Site ${id.slice(0, 4)}`,
          siret: null,
          rna: `W${String(++this.seed).padStart(9, '0')}`,
          departement,
          postalCode: departement === '09' ? '09000' : `${departement}000`,
          inseeCode: departement === '09' ? '09122' : `${departement}555`,
          iban: null,
          bic: null,
          labels: [],
          source: 'manual',
          registeredBy: 'operator-1',
        }),
      );
    }
    for (const agency of this.agencies) {
      for (const programId of Object.values(this.programs)) this.grant(programId, agency.id, 600_000);
    }
    this.funding.push(
      envelopeOf(AllocationReduced, {
        reclaimId: randomUUID(),
        programId: this.programs.single,
        agencyId: this.agencies[0].id,
        amountCents: 20_000,
      }),
    );
    this.allocated.set(
      `${this.programs.single}/${this.agencies[0].id}`,
      this.allocated.get(`${this.programs.single}/${this.agencies[0].id}`)! - 20_000,
    );
  }

  private grant(programId: string, agencyId: string, amountCents: number): void {
    this.funding.push(
      envelopeOf(AllocationGranted, {
        allocationId: randomUUID(),
        programId,
        agencyId,
        amountCents,
        grantedBy: 'operator-1',
      }),
    );
    const key = `${programId}/${agencyId}`;
    this.allocated.set(key, (this.allocated.get(key) ?? 0) + amountCents);
  }

  /** Issues booklets; a few beneficiaries come back for a second one, and two profile categories stay rare. */
  issueBooklets(programId: string, count: number): ModelBooklet[] {
    const issued: ModelBooklet[] = [];
    const known = [...this.beneficiaries.keys()];
    for (let i = 0; i < count; i++) {
      const returning = programId === this.programs.coFunded && known.length > 0 && this.random() < 0.1;
      const beneficiaryRef = returning ? this.pick(known) : `BEN-${randomUUID().slice(0, 12)}`;
      const rare = this.random();
      const profile = {
        // 75_plus and partial_autonomy are rare: their cells fall under 5 beneficiaries.
        ageBand:
          rare < 0.01
            ? '75_plus'
            : this.random() < 0.1
              ? undefined
              : this.pick(AGE_BANDS.filter((b) => b !== '75_plus')),
        situation: this.pick(SITUATIONS),
        diagnosticLevel:
          rare > 0.99 ? 'partial_autonomy' : this.pick(DIAGNOSTIC_LEVELS.filter((d) => d !== 'partial_autonomy')),
      };
      const agency = this.pick(this.agencies);
      const amount = 1000;
      const passes = Array.from({ length: 10 }, () => ({
        passId: randomUUID(),
        codeHash: hashPassCode(randomUUID()),
        amountCents: amount,
      }));
      const issuedAt = this.tick();
      const payload: BookletIssuedV1 = {
        bookletId: randomUUID(),
        programId,
        agencyId: agency.id,
        issuedBy: 'counselor-1',
        beneficiary: {
          beneficiaryRef,
          ...(profile.ageBand ? { ageBand: profile.ageBand as BookletIssuedV1['beneficiary']['ageBand'] } : {}),
          situation: profile.situation,
          diagnosticLevel: profile.diagnosticLevel as BookletIssuedV1['beneficiary']['diagnosticLevel'],
        },
        validFrom: '2026-01-01',
        validUntil: '2026-12-31',
        toleranceDays: 31,
        territory: ['31', '09', '32'],
        passes,
        totalCents: amount * passes.length,
      };
      this.issuance.push(envelopeOf(BookletIssued, payload, { occurredAt: issuedAt }));
      if (programId === this.programs.coFunded)
        this.beneficiaries.set(beneficiaryRef, { ...profile, ageBand: profile.ageBand ?? 'unknown' });
      const booklet: ModelBooklet = {
        bookletId: payload.bookletId,
        programId,
        agencyId: agency.id,
        issuedAt,
        amount,
        passes: new Map(passes.map((p) => [p.passId, { status: 'issued', siteId: null, at: null }])),
      };
      this.booklets.push(booklet);
      issued.push(booklet);
    }
    return issued;
  }

  /** Random outcomes for the passes of these booklets: redemptions, cancellations, void requests, voids, rejections, expiries. */
  settle(booklets: ModelBooklet[]): void {
    for (const booklet of booklets) {
      for (const [passId, state] of booklet.passes) {
        const base = {
          passId,
          bookletId: booklet.bookletId,
          programId: booklet.programId,
          agencyId: booklet.agencyId,
          amountCents: booklet.amount,
        };
        const roll = this.random();
        if (roll < 0.5) {
          let site = this.pick(this.sites).id;
          let at = this.tick();
          this.redemption.push(
            envelopeOf(
              VoucherRedeemed,
              { ...base, redemptionId: randomUUID(), siteId: site, redeemedAt: at, redeemedBy: 'staff' },
              { occurredAt: at },
            ),
          );
          if (this.random() < 0.15) {
            const cancelledAt = this.tick();
            this.redemption.push(
              envelopeOf(
                RedemptionCancelled,
                {
                  ...base,
                  redemptionId: randomUUID(),
                  siteId: site,
                  cancelledAt,
                  reason: 'Erreur',
                  cancelledBy: 'staff',
                },
                { occurredAt: cancelledAt },
              ),
            );
            Object.assign(state, { status: 'issued', siteId: null, at: null });
            if (this.random() < 0.5) continue;
            site = this.pick(this.sites).id;
            at = this.tick();
            this.redemption.push(
              envelopeOf(
                VoucherRedeemed,
                { ...base, redemptionId: randomUUID(), siteId: site, redeemedAt: at, redeemedBy: 'staff' },
                { occurredAt: at },
              ),
            );
            this.auditedPass ??= { passId, bookletId: booklet.bookletId };
          }
          Object.assign(state, { status: 'redeemed', siteId: site, at });
          if (this.random() < 0.05) {
            const requestId = randomUUID();
            const requestedAt = this.tick();
            this.issuance.push(
              envelopeOf(
                VoucherVoidRequested,
                {
                  requestId,
                  passId,
                  bookletId: booklet.bookletId,
                  programId: booklet.programId,
                  agencyId: booklet.agencyId,
                  reason: 'lost',
                  requestedBy: 'counselor-1',
                },
                { occurredAt: requestedAt },
              ),
            );
            this.redemption.push(
              envelopeOf(
                VoucherVoidRejected,
                { requestId, passId, bookletId: booklet.bookletId, reason: 'already_redeemed' },
                { occurredAt: this.tick() },
              ),
            );
          }
        } else if (roll < 0.56) {
          const at = this.tick();
          this.redemption.push(
            envelopeOf(VoucherVoided, { ...base, requestId: randomUUID(), voidedAt: at }, { occurredAt: at }),
          );
          Object.assign(state, { status: 'voided', at });
        } else if (roll < 0.66) {
          const at = this.tick();
          this.redemption.push(envelopeOf(VoucherExpired, { ...base, expiredAt: at }, { occurredAt: at }));
          Object.assign(state, { status: 'expired', at });
        }
      }
    }
  }

  private passes(filter: (b: ModelBooklet) => boolean) {
    return this.booklets.filter(filter).flatMap((b) => [...b.passes.values()].map((p) => ({ ...p, booklet: b })));
  }

  /** What reporting must show for passes of the booklets matching the filter. */
  totals(filter: (b: ModelBooklet) => boolean): Totals {
    const passes = this.passes(filter);
    const count = (status: string) => passes.filter((p) => p.status === status).length;
    const cents = (status?: string) =>
      passes.filter((p) => !status || p.status === status).reduce((sum, p) => sum + p.booklet.amount, 0);
    return {
      bookletsIssued: new Set(passes.map((p) => p.booklet.bookletId)).size,
      bookletsStarted: new Set(passes.filter((p) => p.status === 'redeemed').map((p) => p.booklet.bookletId)).size,
      passesIssued: passes.length,
      passesRedeemed: count('redeemed'),
      passesVoided: count('voided'),
      passesExpired: count('expired'),
      passesOutstanding: count('issued'),
      issuedCents: cents(),
      redeemedCents: cents('redeemed'),
      voidedCents: cents('voided'),
      expiredCents: cents('expired'),
      outstandingCents: cents('issued'),
    };
  }

  redeemedBySite(programId: string): Map<string, { passes: number; cents: number }> {
    const bySite = new Map<string, { passes: number; cents: number }>();
    for (const p of this.passes((b) => b.programId === programId)) {
      if (p.status !== 'redeemed') continue;
      const entry = bySite.get(p.siteId!) ?? { passes: 0, cents: 0 };
      entry.passes += 1;
      entry.cents += p.booklet.amount;
      bySite.set(p.siteId!, entry);
    }
    return bySite;
  }

  /** Per Paris day: booklets issued, and passes redeemed / voided / expired that day. */
  byDay(
    programId: string,
  ): Map<string, { bookletsIssued: number; passesRedeemed: number; passesVoided: number; passesExpired: number }> {
    const days = new Map<
      string,
      { bookletsIssued: number; passesRedeemed: number; passesVoided: number; passesExpired: number }
    >();
    const entry = (iso: string) => {
      const day = parisDay(iso);
      if (!days.has(day)) days.set(day, { bookletsIssued: 0, passesRedeemed: 0, passesVoided: 0, passesExpired: 0 });
      return days.get(day)!;
    };
    for (const b of this.booklets.filter((b) => b.programId === programId)) entry(b.issuedAt).bookletsIssued++;
    for (const p of this.passes((b) => b.programId === programId)) {
      if (p.status === 'redeemed') entry(p.at!).passesRedeemed++;
      if (p.status === 'voided') entry(p.at!).passesVoided++;
      if (p.status === 'expired') entry(p.at!).passesExpired++;
    }
    return days;
  }

  /**
   * March statements for every site, paid on 11 April 10:00 UTC for the first two
   * (10.5 days after the end of March in Paris, UTC+2 then), held for the third;
   * and a credit note to the single funder.
   */
  settleSites(): void {
    this.sites.forEach((site, i) => {
      const statementId = randomUUID();
      const runId = randomUUID();
      const reference = `PN-2026-03-${String(i).padStart(6, '0')}`;
      this.funding.push(
        envelopeOf(SettlementStatementIssued, {
          statementId,
          runId,
          siteId: site.id,
          period: '2026-03',
          reference,
          totalCents: 5000 * (i + 1),
          lineCount: 5 * (i + 1),
          held: i === 2,
          heldReason: i === 2 ? 'IBAN manquant' : null,
        }),
      );
      if (i < 2) {
        this.funding.push(
          envelopeOf(SettlementPaid, {
            statementId,
            runId,
            siteId: site.id,
            reference,
            amountCents: 5000 * (i + 1),
            paidAt: '2026-04-11T10:00:00.000Z',
            confirmedBy: 'operator-1',
          }),
        );
      }
    });
    this.funding.push(
      envelopeOf(FunderCreditNoteIssued, {
        creditNoteId: randomUUID(),
        programId: this.programs.single,
        fundingLineId: this.singleFundingLine,
        funderId: this.funders.d,
        reference: 'AV-2026-000001',
        amountCents: 1234,
        issuedBy: 'operator-1',
      }),
    );
  }

  allocatedTo(programId: string): number {
    return [...this.allocated].filter(([key]) => key.startsWith(programId)).reduce((sum, [, cents]) => sum + cents, 0);
  }

  allEventIds(): string[] {
    return [...this.funding, ...this.issuance, ...this.redemption].map((e) => e.eventId);
  }
}
