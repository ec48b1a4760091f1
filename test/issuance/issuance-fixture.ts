import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { EventDefinition, EventEnvelope, ProgramOpenedV1 } from '@app/contracts';
import { AllocationGranted, FunderRegistered, ProgramOpened } from '@app/contracts';
import type { TestScope } from '@app/testing';
import { envelopeOf, produceRaw, siretFor, testToken, waitFor } from '@app/testing';

/** A running issuance, in this process or spawned: its URL and environment. */
export interface IssuanceEndpoint {
  url: string;
  env: NodeJS.ProcessEnv;
}

/** Words a French message carries and an English one does not. */
export const FRENCH = /[àâçéèêëîïôûùüÿœ]|\b(le|la|les|de|du|une?|est|vous|votre|ce)\b/i;

export const bearer = (token: string) => `Bearer ${token}`;

/** An ISO date `days` away from today in Paris. */
export function parisDay(days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(
    new Date(Date.now() + days * 86_400_000),
  );
}

/**
 * Feeds the service an event another service would produce: a full envelope
 * written straight to that producer's topic, as the broker would deliver it.
 */
export class EventFeed {
  constructor(
    private readonly scope: TestScope,
    private readonly running: IssuanceEndpoint,
  ) {}

  envelope<P extends object>(definition: EventDefinition<P>, payload: NoInfer<P>): EventEnvelope<P> {
    return envelopeOf(definition, payload);
  }

  /** Sends an envelope (again, to forge a duplicate) without waiting. */
  async send(definition: { topic: string }, envelope: EventEnvelope<object>): Promise<void> {
    await produceRaw(
      `${this.running.env.KAFKA_TOPIC_PREFIX}${definition.topic}`,
      envelope.key,
      JSON.stringify(envelope),
    );
  }

  /** Sends an event and waits until the service applied it (its inbox has it). */
  async deliver<P extends object>(definition: EventDefinition<P>, payload: NoInfer<P>): Promise<EventEnvelope<P>> {
    const envelope = this.envelope(definition, payload);
    await this.send(definition, envelope);
    await this.applied(envelope.eventId);
    return envelope;
  }

  async applied(eventId: string): Promise<void> {
    await waitFor(
      `event ${eventId} to be applied`,
      async () =>
        (await this.scope.sql('issuance', 'SELECT 1 FROM inbox_records WHERE event_id = $1', [eventId])).length === 1,
    );
  }

  async appliedOrDeadLettered(eventId: string): Promise<void> {
    await waitFor(`event ${eventId} to be applied or dead-lettered`, async () => {
      const rows = await this.scope.sql(
        'issuance',
        'SELECT 1 FROM inbox_records WHERE event_id::text = $1 UNION ALL SELECT 1 FROM dead_letters WHERE event_id = $1',
        [eventId],
      );
      return rows.length > 0;
    });
  }

  /** Sends an event and waits until it is dead-lettered; returns the recorded error. */
  async deliverPoison<P extends object>(definition: EventDefinition<P>, payload: NoInfer<P>): Promise<string> {
    const envelope = this.envelope(definition, payload);
    await this.send(definition, envelope);
    const [letter] = await waitFor('the dead letter', async () => {
      const rows = await this.scope.sql<{ error: string }>(
        'issuance',
        'SELECT error FROM dead_letters WHERE event_id = $1',
        [envelope.eventId],
      );
      return rows.length > 0 && rows;
    });
    return letter.error;
  }
}

/** Sets up what a counselor needs to issue: an agency, a program, an allocation. */
export class IssuanceWorld {
  private seed = Math.floor(Math.random() * 1_000_000);
  readonly feed: EventFeed;

  constructor(
    readonly scope: TestScope,
    readonly running: IssuanceEndpoint,
  ) {
    this.feed = new EventFeed(scope, running);
  }

  async registerAgency(name = `CCAS n°${this.seed}`): Promise<string> {
    const operator = await testToken({ role: 'operator' });
    const response = await request(this.running.url)
      .post('/agencies')
      .set('Authorization', bearer(operator))
      .send({ name, kind: 'ccas', departement: '31', siret: siretFor(++this.seed) })
      .expect(201);
    return response.body.id;
  }

  programPayload(overrides: Partial<ProgramOpenedV1> = {}): ProgramOpenedV1 {
    return {
      programId: randomUUID(),
      name: 'Pass numérique Haute-Garonne 2026',
      faceValueCents: 1000,
      bookletSize: 10,
      validFrom: parisDay(-30),
      validUntil: parisDay(300),
      toleranceDays: 31,
      territory: ['31', '32'],
      fundingLines: [
        { fundingLineId: randomUUID(), funderId: randomUUID(), shareBasisPoints: 5000 },
        { fundingLineId: randomUUID(), funderId: randomUUID(), shareBasisPoints: 5000 },
      ],
      leadFunderId: randomUUID(),
      budgetCents: 10_000_000,
      openedBy: 'operator-test',
      ...overrides,
    };
  }

  async openProgram(overrides: Partial<ProgramOpenedV1> = {}, funderNames?: string[]): Promise<ProgramOpenedV1> {
    const program = this.programPayload(overrides);
    for (const [i, name] of (funderNames ?? []).entries()) {
      await this.feed.deliver(FunderRegistered, {
        funderId: program.fundingLines[i].funderId,
        name,
        kind: 'state',
        siret: siretFor(++this.seed),
      });
    }
    await this.feed.deliver(ProgramOpened, program);
    return program;
  }

  async grant(agencyId: string, programId: string, amountCents: number): Promise<void> {
    await this.feed.deliver(AllocationGranted, {
      allocationId: randomUUID(),
      programId,
      agencyId,
      amountCents,
      grantedBy: 'operator-test',
    });
  }

  /** An agency with an open program and `booklets` booklets' worth of allocation. */
  async agencyWithAllocation(booklets: number, programOverrides: Partial<ProgramOpenedV1> = {}) {
    const agencyId = await this.registerAgency();
    const program = await this.openProgram(programOverrides);
    await this.grant(agencyId, program.programId, booklets * program.faceValueCents * program.bookletSize);
    const counselor = await testToken({
      role: 'counselor',
      org: agencyId,
      subject: `counselor-${agencyId.slice(0, 8)}`,
    });
    return { agencyId, program, counselor };
  }

  issue(
    counselor: string,
    programId: string,
    beneficiary: object = { situation: 'job_seeker', diagnosticLevel: 'low_autonomy' },
  ) {
    return request(this.running.url)
      .post('/booklets')
      .set('Authorization', bearer(counselor))
      .send({ programId, beneficiary });
  }

  /** POST /booklet-orders: one booklet per profile (n job seekers by default), with a new Idempotency-Key unless given one (null: none). */
  order(
    counselor: string,
    programId: string,
    beneficiaries: object[] | number,
    idempotencyKey: string | null = randomUUID(),
  ) {
    const profiles =
      typeof beneficiaries === 'number'
        ? Array.from({ length: beneficiaries }, () => ({ situation: 'job_seeker', diagnosticLevel: 'low_autonomy' }))
        : beneficiaries;
    const call = request(this.running.url).post('/booklet-orders').set('Authorization', bearer(counselor));
    return (idempotencyKey !== null ? call.set('Idempotency-Key', idempotencyKey) : call).send({
      programId,
      beneficiaries: profiles,
    });
  }

  async balance(agencyId: string, programId: string): Promise<number | undefined> {
    const rows = await this.scope.sql<{ balance_cents: string }>(
      'issuance',
      'SELECT balance_cents FROM allocations WHERE agency_id = $1 AND program_id = $2',
      [agencyId, programId],
    );
    return rows[0] ? Number(rows[0].balance_cents) : undefined;
  }
}
