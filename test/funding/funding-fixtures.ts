import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { BookletIssuedV1, EventEnvelope } from '@app/contracts';
import {
  AgencyRegistered,
  BookletIssued,
  RedemptionCancelled,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
} from '@app/contracts';
import { hashPassCode } from '@app/pass-codes';
import type { RunningService, TestScope } from '@app/testing';
import { envelopeOf, publishEnvelopes, siretFor, testToken, waitFor } from '@app/testing';

let seed = 5000;

export const bearer = (token: string) => `Bearer ${token}`;

/** Drives the funding service over HTTP and through the topics, as its users and peer services do. */
export class FundingDriver {
  constructor(
    readonly scope: TestScope,
    readonly funding: RunningService,
    readonly operator: string,
  ) {}

  static async create(scope: TestScope, funding: RunningService): Promise<FundingDriver> {
    return new FundingDriver(scope, funding, await testToken({ role: 'operator' }));
  }

  http() {
    return request(this.funding.url);
  }

  async registerFunder(name: string, kind = 'state'): Promise<string> {
    const response = await this.http()
      .post('/funders')
      .set('Authorization', bearer(this.operator))
      .send({ name, kind, siret: siretFor(++seed) })
      .expect(201);
    return response.body.id;
  }

  async openProgram(
    fundingLines: Array<{ funderId: string; shareBasisPoints: number }>,
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; fundingLines: Array<{ id: string; funderId: string }> }> {
    const response = await this.http()
      .post('/programs')
      .set('Authorization', bearer(this.operator))
      .send({
        name: 'Pass numérique Haute-Garonne',
        validFrom: '2026-01-01',
        validUntil: '2027-12-31',
        toleranceDays: 31,
        territory: ['31'],
        fundingLines,
        budgetCents: 1_000_000,
        ...overrides,
      })
      .expect(201);
    return response.body;
  }

  /**
   * Time passes: a program opened with a validity to come (the only kind
   * funding accepts) is moved into the past, as it will be once its dates go by.
   */
  async movePastValidity(programId: string, validFrom: string, validUntil: string): Promise<void> {
    await this.scope.sql('funding', 'UPDATE programs SET valid_from = $2, valid_until = $3 WHERE id = $1', [
      programId,
      validFrom,
      validUntil,
    ]);
  }

  /** An agency as issuance announces it; resolves once funding knows it. */
  async knownAgency(): Promise<string> {
    const agencyId = randomUUID();
    await publishEnvelopes(this.funding.env.KAFKA_TOPIC_PREFIX!, [
      envelopeOf(AgencyRegistered, {
        agencyId,
        name: `Agence ${agencyId.slice(0, 4)}`,
        kind: 'france_travail',
        departement: '31',
        siret: siretFor(++seed),
      }),
    ]);
    await waitFor(
      'funding to learn the agency',
      async () =>
        (await this.scope.sql('funding', 'SELECT 1 FROM known_agencies WHERE id = $1', [agencyId])).length === 1,
    );
    return agencyId;
  }

  allocate(programId: string, agencyId: string, amountCents: number, token = this.operator) {
    return this.http()
      .post(`/programs/${programId}/allocations`)
      .set('Authorization', bearer(token))
      .send({ agencyId, amountCents });
  }

  async balances(programId: string, token = this.operator) {
    return (await this.http().get(`/programs/${programId}/balances`).set('Authorization', bearer(token)).expect(200))
      .body;
  }

  async reconciliation() {
    return (await this.reconciliationReport()).violations;
  }

  /** Violations and warnings. */
  async reconciliationReport() {
    return (await this.http().get('/reconciliation').set('Authorization', bearer(this.operator)).expect(200)).body;
  }

  /** Waits until every given event id went through the inbox (applied or skipped as duplicate) or was dead-lettered. */
  async consumed(eventIds: string[]): Promise<void> {
    await waitFor(`${eventIds.length} event(s) to be consumed`, async () => {
      const rows = await this.scope.sql<{ n: number }>(
        'funding',
        `SELECT count(*)::int AS n FROM (SELECT event_id::text FROM inbox_records WHERE event_id::text = ANY($1)
                                          UNION SELECT event_id FROM dead_letters WHERE event_id = ANY($1)) seen`,
        [eventIds],
      );
      return rows[0].n === new Set(eventIds).size;
    });
  }
}

/** Booklets and pass outcomes as issuance and redemption announce them. */
export function bookletIssued(
  programId: string,
  agencyId: string,
  passCount: number,
  amountCents = 1000,
): EventEnvelope<BookletIssuedV1> {
  return envelopeOf(BookletIssued, {
    bookletId: randomUUID(),
    programId,
    agencyId,
    issuedBy: 'counselor-1',
    beneficiary: {
      beneficiaryRef: `BEN-${randomUUID().slice(0, 10)}`,
      situation: 'job_seeker',
      diagnosticLevel: 'low_autonomy',
    },
    validFrom: '2026-01-01',
    validUntil: '2027-12-31',
    toleranceDays: 31,
    territory: ['31'],
    passes: Array.from({ length: passCount }, () => ({
      passId: randomUUID(),
      codeHash: hashPassCode(randomUUID()),
      amountCents,
    })),
    totalCents: passCount * amountCents,
  });
}

export function passEvent(
  type: 'redeemed' | 'cancelled' | 'voided' | 'expired',
  booklet: BookletIssuedV1,
  index: number,
  siteId: string,
): EventEnvelope<object> {
  const pass = booklet.passes[index];
  const base = {
    passId: pass.passId,
    bookletId: booklet.bookletId,
    programId: booklet.programId,
    agencyId: booklet.agencyId,
    amountCents: pass.amountCents,
  };
  const at = new Date().toISOString();
  switch (type) {
    case 'redeemed':
      return envelopeOf(VoucherRedeemed, {
        ...base,
        redemptionId: randomUUID(),
        siteId,
        redeemedAt: at,
        redeemedBy: 'site-staff',
      });
    case 'cancelled':
      return envelopeOf(RedemptionCancelled, {
        ...base,
        redemptionId: randomUUID(),
        siteId,
        cancelledAt: at,
        reason: 'Erreur de saisie',
        cancelledBy: 'site-staff',
      });
    case 'voided':
      return envelopeOf(VoucherVoided, { ...base, requestId: randomUUID(), voidedAt: at });
    case 'expired':
      return envelopeOf(VoucherExpired, { ...base, expiredAt: at });
  }
}
