import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { BookletIssuedV1, EventDefinition, EventEnvelope } from '@app/contracts';
import { BookletIssued, Topics } from '@app/contracts';
import { generatePassCode, hashPassCode, parsePassCode } from '@app/pass-codes';
import type { RunningService, TestScope } from '@app/testing';
import { produceRaw, siretFor, testToken, waitFor } from '@app/testing';

/** Words a French message carries and an English one does not. */
export const FRENCH = /[àâçéèêëîïôûùüÿœ]|\b(le|la|les|de|du|une?|est|sont|vous|votre|ce|cette)\b/i;

export const IBAN = 'FR7630006000011234567890189';
export const BIC = 'AGRIFRPP882';

export const bearer = async (role: 'operator' | 'site' | 'counselor', org?: string, subject?: string) =>
  `Bearer ${await testToken({ role, ...(org ? { org } : {}), ...(subject ? { subject } : {}) })}`;

/** A full envelope as another service's outbox would publish it, written straight to its topic. */
export async function produceEvent<P extends object>(
  running: RunningService,
  definition: EventDefinition<P>,
  payload: P,
): Promise<EventEnvelope<P>> {
  const eventId = randomUUID();
  const envelope: EventEnvelope<P> = {
    eventId,
    type: definition.type,
    schemaVersion: definition.schemaVersion,
    occurredAt: new Date().toISOString(),
    producer: definition.producer,
    key: String(payload[definition.keyField]),
    correlationId: eventId,
    causationId: null,
    payload,
  };
  await produceRaw(`${running.env.KAFKA_TOPIC_PREFIX}${definition.topic}`, envelope.key, JSON.stringify(envelope));
  return envelope;
}

export interface IssuedBooklet {
  payload: BookletIssuedV1;
  codes: string[];
}

/** A booklet as issuance would announce it, with the clear codes the beneficiary holds. */
export function booklet(
  options: Partial<Pick<BookletIssuedV1, 'territory' | 'validFrom' | 'validUntil' | 'toleranceDays'>> & {
    size?: number;
  } = {},
): IssuedBooklet {
  const codes = Array.from({ length: options.size ?? 2 }, () => generatePassCode());
  const passes = codes.map((code) => {
    const parsed = parsePassCode(code);
    if (!parsed.valid) throw new Error('generated code must parse');
    return { passId: randomUUID(), codeHash: hashPassCode(parsed.canonical), amountCents: 1000 };
  });
  return {
    codes,
    payload: {
      bookletId: randomUUID(),
      programId: randomUUID(),
      agencyId: randomUUID(),
      issuedBy: 'counselor-1',
      beneficiary: { beneficiaryRef: 'BEN-000001', situation: 'job_seeker', diagnosticLevel: 'low_autonomy' },
      validFrom: options.validFrom ?? '2020-01-01',
      validUntil: options.validUntil ?? '2099-12-31',
      toleranceDays: options.toleranceDays ?? 31,
      territory: options.territory ?? ['31', '2A'],
      passes,
      totalCents: passes.length * 1000,
    },
  };
}

/** Publishes booklets on the issuance topic and waits until the service knows their passes. */
export async function issue(scope: TestScope, running: RunningService, ...booklets: IssuedBooklet[]): Promise<void> {
  for (const issued of booklets) await produceEvent(running, BookletIssued, issued.payload);
  const ids = booklets.flatMap((issued) => issued.payload.passes.map((pass) => pass.passId));
  await waitFor('the passes to be known', async () => {
    const rows = await scope.sql('redemption', 'SELECT id FROM passes WHERE id = ANY($1::uuid[])', [ids]);
    return rows.length === ids.length;
  });
}

let seed = 1000;

export function siteBody(overrides: Record<string, unknown> = {}) {
  seed += 1;
  return {
    name: `Espace numérique n°${seed}`,
    siret: siretFor(seed),
    address: '1 place de la Mairie',
    postalCode: '31600',
    inseeCode: '31395',
    contactEmail: 'contact@espace.example',
    iban: IBAN,
    bic: BIC,
    labels: ['france_services'],
    ...overrides,
  };
}

/** Registers a site by hand and accredits it until the far future. */
export async function accreditedSite(url: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const operator = await bearer('operator', undefined, 'operator-1');
  const site = await request(url).post('/sites').set('Authorization', operator).send(siteBody(overrides)).expect(201);
  await request(url)
    .post(`/sites/${site.body.id}/accreditation`)
    .set('Authorization', operator)
    .send({ validUntil: '2099-12-31', reason: 'Charte signée' })
    .expect(200);
  return site.body.id;
}

export const outbox = (scope: TestScope, type: string) =>
  scope.sql<{ message_key: string; payload: EventEnvelope<Record<string, unknown>> }>(
    'redemption',
    'SELECT message_key, payload FROM outbox_messages WHERE event_type = $1 ORDER BY id',
    [type],
  );

export { Topics };
