import { randomUUID } from 'node:crypto';
import { Topics } from '@app/contracts';
import type { RunningService } from '@app/testing';
import { metricValue, produceRaw, publishEnvelopes, TestScope, testToken, waitFor } from '@app/testing';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import { bearer, bookletIssued, FundingDriver, passEvent } from './funding-fixtures';

interface Letter {
  id: string;
  state: string;
  eventId: string | null;
  eventType: string | null;
  error: string;
  attempts: number;
}

/**
 * Dead letters the operator acts on, through funding (the API is every
 * service's): a message that carries no money is a warning of the
 * reconciliation and is discarded with a reason; a lost money event is a
 * violation until it is replayed, once its cause is fixed, and applied once.
 */
describe('dead letters an operator can act on', () => {
  const scope = new TestScope('deadletters');
  const operatorSubject = 'operator-dead-letters';
  let funding: RunningService;
  let driver: FundingDriver;
  let operator: string;
  let prefix: string;
  let programId: string;
  let agencyId: string;
  const siteA = randomUUID();

  const api = (token = operator) => ({
    get: (path: string) => driver.http().get(path).set('Authorization', bearer(token)),
    post: (path: string, body?: object) =>
      driver
        .http()
        .post(path)
        .set('Authorization', bearer(token))
        .send(body ?? {}),
  });
  const openLetters = async (): Promise<Letter[]> =>
    (await api().get('/dead-letters?state=open&pageSize=200').expect(200)).body.items;
  const letterOf = (eventId: string) =>
    waitFor(`the dead letter of ${eventId}`, async () => (await openLetters()).find((l) => l.eventId === eventId));
  const payable = async () => (await driver.balances(programId)).totals.site_payable as number;

  beforeAll(async () => {
    // Two attempts, and a cause awaited 1.5 s, before a message is dead-lettered.
    funding = await scope.start(fundingService, { CONSUMER_MAX_ATTEMPTS: '2', CONSUMER_AWAIT_CAUSE_MS: '1500' });
    driver = await FundingDriver.create(scope, funding);
    operator = await testToken({ role: 'operator', subject: operatorSubject });
    prefix = funding.env.KAFKA_TOPIC_PREFIX!;
    const state = await driver.registerFunder('État', 'state');
    programId = (await driver.openProgram([{ funderId: state, shareBasisPoints: 10000 }], { budgetCents: 100_000 })).id;
    agencyId = await driver.knownAgency();
    await driver.allocate(programId, agencyId, 30_000).expect(201);
  });
  afterAll(() => scope.close());

  it('reports a message that is no event as a warning, keeps it as received, and closes it once discarded with a reason', async () => {
    const topic = `${prefix}${Topics.redemption}`;
    await produceRaw(topic, 'garbage', '{not json', { 'x-origin': 'forged by a test' });

    const [letter] = await waitFor('the garbage to be dead-lettered', async () => {
      const letters = await openLetters();
      return letters.length === 1 && letters;
    });
    expect(letter).toEqual({
      id: expect.stringMatching(/^\d+$/),
      state: 'open',
      source: { topic, partition: expect.any(Number), offset: expect.stringMatching(/^\d+$/), key: 'garbage' },
      eventType: null,
      eventId: null,
      error: 'message value is not JSON',
      attempts: 1,
      failedAt: expect.any(String),
      message: { value: '{not json', headers: { 'x-origin': 'forged by a test' } },
      resolvedBy: null,
      resolvedAt: null,
      discardReason: null,
      replayAttemptedBy: null,
      replayAttemptedAt: null,
    });
    expect(await driver.reconciliationReport()).toMatchObject({
      violations: [],
      warnings: [{ invariant: 'every_event_applied', eventType: null, deadLetters: 1 }],
    });

    const path = `/dead-letters/${letter.id}/discard`;
    const refusal = (await api().post(path).expect(400)).body;
    expect(refusal).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'reason', problems: ['Indiquez pourquoi ce message peut être écarté (reason).'] }],
    });
    await api().post(path, { reason: '   ' }).expect(400);
    expect(
      (
        await api()
          .post(path, { reason: 'x'.repeat(501) })
          .expect(400)
      ).body.errors,
    ).toEqual([{ field: 'reason', problems: ['Le motif ne doit pas dépasser 500 caractères.'] }]);
    for (const role of ['funder', 'counselor', 'site'] as const) {
      const token = await testToken({ role, org: randomUUID() });
      expect((await api(token).post(path, { reason: 'Essai' }).expect(403)).body.code).toBe('AUTH_ROLE_FORBIDDEN');
      await api(token).get('/dead-letters').expect(403);
    }
    for (const unknown of ['999999999', 'abc', randomUUID()]) {
      expect((await api().post(`/dead-letters/${unknown}/discard`, { reason: 'Essai' }).expect(404)).body.code).toBe(
        'DEAD_LETTER_NOT_FOUND',
      );
      await api().post(`/dead-letters/${unknown}/replay`).expect(404);
      await api().get(`/dead-letters/${unknown}`).expect(404);
    }
    expect((await api().get(`/dead-letters/${letter.id}`).expect(200)).body.state).toBe('open');

    const discarded = (await api().post(path, { reason: '  Message forgé par un test  ' }).expect(200)).body;
    expect(discarded).toMatchObject({
      id: letter.id,
      state: 'discarded',
      discardReason: 'Message forgé par un test',
      resolvedBy: operatorSubject,
      resolvedAt: expect.any(String),
    });
    expect((await api().post(path, { reason: 'Encore' }).expect(409)).body.code).toBe('DEAD_LETTER_ALREADY_RESOLVED');
    expect((await api().post(`/dead-letters/${letter.id}/replay`).expect(409)).body).toMatchObject({
      code: 'DEAD_LETTER_ALREADY_RESOLVED',
      details: { state: 'discarded', resolvedBy: operatorSubject },
    });
    expect(await driver.reconciliationReport()).toMatchObject({ violations: [], warnings: [] });
    expect((await api().get('/dead-letters?state=discarded').expect(200)).body).toMatchObject({
      total: 1,
      items: [{ id: letter.id }],
    });
    expect(await metricValue(funding.url, 'dead_letters')).toBe(0);
  });

  it('reports a redemption that never found its booklet as a violation; replayed once the booklet came, it is posted once', async () => {
    const issued = bookletIssued(programId, agencyId, 5);
    const redeemed = passEvent('redeemed', issued.payload, 0, siteA);
    await publishEnvelopes(prefix, [redeemed]);
    const letter = await letterOf(redeemed.eventId);
    expect(letter).toMatchObject({ eventType: 'VoucherRedeemed', attempts: 1, error: expect.stringMatching(/waited/) });
    expect(await driver.reconciliationReport()).toMatchObject({
      violations: [{ invariant: 'every_event_applied', eventType: 'VoucherRedeemed', deadLetters: 1 }],
      warnings: [],
    });

    // Replayed before its cause is fixed: it fails again and stays open with the new error.
    const failed = (await api().post(`/dead-letters/${letter.id}/replay`).expect(422)).body;
    expect(failed).toMatchObject({
      code: 'DEAD_LETTER_REPLAY_FAILED',
      details: { id: letter.id, error: expect.stringContaining(`waits for booklet ${issued.payload.bookletId}`) },
    });
    expect((await api().get(`/dead-letters/${letter.id}`).expect(200)).body).toMatchObject({
      state: 'open',
      error: failed.details.error,
      attempts: 2,
      replayAttemptedBy: operatorSubject,
      resolvedBy: null,
    });

    await publishEnvelopes(prefix, [issued]);
    await driver.consumed([issued.eventId]);
    const before = await payable();
    const replayed = (await api().post(`/dead-letters/${letter.id}/replay`).expect(200)).body;
    expect(replayed).toMatchObject({ outcome: 'applied', state: 'replayed', resolvedBy: operatorSubject });
    expect(await payable()).toBe(before + 1000);
    expect((await api().post(`/dead-letters/${letter.id}/replay`).expect(409)).body.code).toBe(
      'DEAD_LETTER_ALREADY_RESOLVED',
    );

    // The broker delivers it again: the inbox knows it from the replay.
    const duplicates = () =>
      metricValue(funding.url, 'events_consumed_total', { type: 'VoucherRedeemed', outcome: 'duplicate' });
    const duplicatesBefore = await duplicates();
    await publishEnvelopes(prefix, [redeemed]);
    await waitFor('the redelivery to be skipped', async () => (await duplicates()) > duplicatesBefore);
    expect(await payable()).toBe(before + 1000);
    const movements = await scope.sql<{ n: number }>(
      'funding',
      'SELECT count(DISTINCT movement_id)::int AS n FROM ledger_transfers WHERE source_event_id = $1',
      [redeemed.eventId],
    );
    expect(movements).toEqual([{ n: 1 }]);
    expect(await driver.reconciliationReport()).toMatchObject({ violations: [], warnings: [] });
  });

  it('replays every open letter at once: one applied meanwhile changes nothing, one that fails again stays open until discarded', async () => {
    const unknownProgram = bookletIssued(randomUUID(), agencyId, 5);
    const tooBig = bookletIssued(programId, agencyId, 10, 3000); // 30,000 cents: more than the agency has left
    await publishEnvelopes(prefix, [unknownProgram, tooBig]);
    const [lost, overdrawn] = [await letterOf(unknownProgram.eventId), await letterOf(tooBig.eventId)];
    expect(overdrawn.error).toContain('would overdraw');
    expect(await driver.reconciliation()).toEqual([
      expect.objectContaining({ invariant: 'every_event_applied', eventType: 'BookletIssued', deadLetters: 2 }),
    ]);

    // The fix: more allocation; then the broker delivers the booklet again, and the consumer applies it.
    await driver.allocate(programId, agencyId, 10_000).expect(201);
    const allocatedBefore = (await driver.balances(programId)).totals.agency_allocated as number;
    await publishEnvelopes(prefix, [tooBig]);
    await waitFor(
      'the redelivered booklet to be applied',
      async () =>
        (await scope.sql('funding', 'SELECT 1 FROM inbox_records WHERE event_id = $1', [tooBig.eventId])).length === 1,
    );
    expect((await driver.balances(programId)).totals.agency_allocated).toBe(allocatedBefore - 30_000);

    const all = (await api().post('/dead-letters/replay').expect(200)).body;
    expect(all).toEqual({
      replayed: [{ id: overdrawn.id, outcome: 'duplicate' }],
      failed: [{ id: lost.id, error: `Unknown program ${unknownProgram.payload.programId}` }],
    });
    expect((await driver.balances(programId)).totals.agency_allocated).toBe(allocatedBefore - 30_000);
    expect(await driver.reconciliation()).toEqual([
      expect.objectContaining({ eventType: 'BookletIssued', deadLetters: 1 }),
    ]);

    await api()
      .post(`/dead-letters/${lost.id}/discard`, {
        reason: 'Programme inconnu : carnet émis par erreur, annulé côté émission',
      })
      .expect(200);
    expect(await driver.reconciliationReport()).toMatchObject({ violations: [], warnings: [] });
    expect((await api().post('/dead-letters/replay').expect(200)).body).toEqual({ replayed: [], failed: [] });
    const page = (await api().get('/dead-letters?pageSize=2&page=2').expect(200)).body;
    expect(page).toMatchObject({ total: 4, page: 2, pageSize: 2 });
    expect(page.items.map((l: Letter) => l.state)).toEqual(['replayed', 'discarded']);
  });
});
