import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { EventEnvelope } from '@app/contracts';
import {
  RedemptionCancelled,
  VoucherExpired,
  VoucherRedeemed,
  VoucherVoided,
  VoucherVoidRejected,
} from '@app/contracts';
import type { RunningService } from '@app/testing';
import { metricValue, publishTogether, TestScope, testToken } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { bearer, FRENCH, IssuanceWorld } from './issuance-fixture';

interface IssuedBooklet {
  id: string;
  programId: string;
  agencyId: string;
  passes: Array<{ id: string; amountCents: number }>;
}

describe('voiding passes and mirroring redemption’s outcomes', () => {
  const scope = new TestScope('issvoids');
  let issuance: RunningService;
  let world: IssuanceWorld;
  let counselor: string;
  let agencyId: string;
  let programId: string;

  beforeAll(async () => {
    issuance = await scope.start(issuanceService, { CONSUMER_MAX_ATTEMPTS: '2' });
    world = new IssuanceWorld(scope, issuance);
    const setup = await world.agencyWithAllocation(20);
    ({ counselor, agencyId } = setup);
    programId = setup.program.programId;
  });
  afterAll(() => scope.close());

  const issue = async (): Promise<IssuedBooklet> => (await world.issue(counselor, programId).expect(201)).body;
  const voidPass = (passId: string, body: object = { reason: 'lost' }, token = counselor) =>
    request(issuance.url).post(`/passes/${passId}/void`).set('Authorization', bearer(token)).send(body);
  const voidBooklet = (bookletId: string, body: object = { reason: 'issued_by_mistake' }, token = counselor) =>
    request(issuance.url).post(`/booklets/${bookletId}/void`).set('Authorization', bearer(token)).send(body);
  const passStatus = async (passId: string) =>
    (await scope.sql<{ status: string }>('issuance', 'SELECT status FROM passes WHERE id = $1', [passId]))[0].status;
  const voidEvents = (bookletId: string) =>
    scope.sql<{ payload: { payload: Record<string, unknown> }; message_key: string }>(
      'issuance',
      `SELECT payload, message_key FROM outbox_messages WHERE event_type = 'VoucherVoidRequested' AND message_key = $1 ORDER BY id`,
      [bookletId],
    );

  it('given an issued pass, when its counselor asks to void it, then a pending request is recorded and VoucherVoidRequested published; the pass stays issued', async () => {
    const booklet = await issue();
    const pass = booklet.passes[0];

    const response = await voidPass(pass.id, { reason: 'stolen', comment: 'Sac volé' }).expect(201);

    expect(response.body).toEqual([
      expect.objectContaining({ passId: pass.id, reason: 'stolen', comment: 'Sac volé', status: 'pending' }),
    ]);
    const events = await voidEvents(booklet.id);
    expect(events).toEqual([
      {
        message_key: booklet.id,
        payload: expect.objectContaining({
          payload: {
            requestId: response.body[0].id,
            passId: pass.id,
            bookletId: booklet.id,
            programId,
            agencyId,
            reason: 'stolen',
            comment: 'Sac volé',
            requestedBy: expect.any(String),
          },
        }),
      },
    ]);
    expect(await passStatus(pass.id)).toBe('issued');
  });

  it('given a pending request, when it is asked again, then 409 VOID_ALREADY_REQUESTED and no second event', async () => {
    const booklet = await issue();
    await voidPass(booklet.passes[0].id).expect(201);

    const response = await voidPass(booklet.passes[0].id).expect(409);

    expect(response.body.code).toBe('VOID_ALREADY_REQUESTED');
    expect(response.body.message).toMatch(FRENCH);
    expect(await voidEvents(booklet.id)).toHaveLength(1);
  });

  it('given a counselor of another agency, when it asks to void a pass, then 404 PASS_NOT_FOUND and nothing is recorded', async () => {
    const booklet = await issue();
    const other = await world.agencyWithAllocation(1);

    const response = await voidPass(booklet.passes[0].id, { reason: 'lost' }, other.counselor).expect(404);

    expect(response.body.code).toBe('PASS_NOT_FOUND');
    expect(await voidEvents(booklet.id)).toHaveLength(0);
  });

  it('given an operator, when it asks to void a pass, then 403: only the issuing agency’s counselors may', async () => {
    const booklet = await issue();

    await voidPass(booklet.passes[0].id, { reason: 'lost' }, await testToken({ role: 'operator' })).expect(403);
  });

  it('given an unknown reason, then 400 VALIDATION_FAILED', async () => {
    const booklet = await issue();

    const response = await voidPass(booklet.passes[0].id, { reason: 'bored' }).expect(400);

    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('given an unused booklet, when it is voided whole, then one request and one event per pass', async () => {
    const booklet = await issue();

    const response = await voidBooklet(booklet.id).expect(201);

    expect(response.body).toHaveLength(10);
    expect(new Set(response.body.map((r: { passId: string }) => r.passId))).toEqual(
      new Set(booklet.passes.map((p) => p.id)),
    );
    expect(await voidEvents(booklet.id)).toHaveLength(10);
  });

  it('given VoucherVoided, then the pass is voided, its request accepted and its 10 € back in the allocation', async () => {
    const booklet = await issue();
    const pass = booklet.passes[3];
    const [voidRequest] = (await voidPass(pass.id).expect(201)).body;
    const before = await world.balance(agencyId, programId);

    await world.feed.deliver(VoucherVoided, {
      requestId: voidRequest.id,
      passId: pass.id,
      bookletId: booklet.id,
      programId,
      agencyId,
      amountCents: 1000,
      voidedAt: new Date().toISOString(),
    });

    expect(await passStatus(pass.id)).toBe('voided');
    expect(await world.balance(agencyId, programId)).toBe(before! + 1000);
    const [row] = await scope.sql(
      'issuance',
      'SELECT status, decided_at IS NOT NULL AS decided FROM void_requests WHERE id = $1',
      [voidRequest.id],
    );
    expect(row).toEqual({ status: 'accepted', decided: true });
    const view = await request(issuance.url)
      .get(`/booklets/${booklet.id}`)
      .set('Authorization', bearer(counselor))
      .expect(200);
    expect(view.body).toMatchObject({ status: 'started', passesVoided: 1, passesIssued: 9 });
    expect(view.body.passes[3]).toMatchObject({
      id: pass.id,
      status: 'voided',
      voidRequest: { id: voidRequest.id, status: 'accepted' },
    });
  });

  it('given VoucherVoidRejected, then the request is rejected with its reason and the pass status is unchanged', async () => {
    const booklet = await issue();
    const pass = booklet.passes[0];
    const [voidRequest] = (await voidPass(pass.id).expect(201)).body;

    await world.feed.deliver(VoucherVoidRejected, {
      requestId: voidRequest.id,
      passId: pass.id,
      bookletId: booklet.id,
      reason: 'already_redeemed',
    });

    const [row] = await scope.sql('issuance', 'SELECT status, rejection_reason FROM void_requests WHERE id = $1', [
      voidRequest.id,
    ]);
    expect(row).toEqual({ status: 'rejected', rejection_reason: 'already_redeemed' });
    expect(await passStatus(pass.id)).toBe('issued');
    await voidPass(pass.id).expect(201); // no request pending any more: the counselor may ask again
  });

  it('given VoucherRedeemed, then the pass is redeemed, the booklet started, and neither may be voided any more', async () => {
    const booklet = await issue();
    const pass = booklet.passes[0];
    const redemption = {
      redemptionId: randomUUID(),
      passId: pass.id,
      bookletId: booklet.id,
      programId,
      agencyId,
      siteId: randomUUID(),
      amountCents: 1000,
    };

    await world.feed.deliver(VoucherRedeemed, {
      ...redemption,
      redeemedAt: new Date().toISOString(),
      redeemedBy: 'site-staff',
    });

    expect(await passStatus(pass.id)).toBe('redeemed');
    const single = await voidPass(pass.id).expect(409);
    expect(single.body.code).toBe('PASS_NOT_VOIDABLE');
    expect(single.body.message).toContain('utilisé');
    const whole = await voidBooklet(booklet.id).expect(409);
    expect(whole.body.code).toBe('BOOKLET_NOT_UNUSED');
    expect(whole.body.message).toMatch(FRENCH);
    expect(await voidEvents(booklet.id)).toHaveLength(0);

    await world.feed.deliver(RedemptionCancelled, {
      ...redemption,
      cancelledAt: new Date().toISOString(),
      reason: 'Erreur de saisie',
      cancelledBy: 'site-staff',
    });

    expect(await passStatus(pass.id)).toBe('issued');
  });

  it('given VoucherExpired, then the pass is expired and the allocation unchanged', async () => {
    const booklet = await issue();
    const pass = booklet.passes[9];
    const before = await world.balance(agencyId, programId);

    await world.feed.deliver(VoucherExpired, {
      passId: pass.id,
      bookletId: booklet.id,
      programId,
      agencyId,
      amountCents: 1000,
      expiredAt: new Date().toISOString(),
    });

    expect(await passStatus(pass.id)).toBe('expired');
    expect(await world.balance(agencyId, programId)).toBe(before);
  });

  it('given consecutive outcomes fetched together, then each pass takes the last one; one about an unknown pass is dead-lettered and the others still apply', async () => {
    const booklet = await issue();
    const [first, second, third] = booklet.passes;
    const at = new Date().toISOString();
    const redemption = (pass: { id: string }) => ({
      redemptionId: randomUUID(),
      passId: pass.id,
      bookletId: booklet.id,
      programId,
      agencyId,
      siteId: randomUUID(),
      amountCents: 1000,
    });
    const redeemedFirst = redemption(first);
    const redeemedTogether = await metricValue(issuance.url, 'events_applied_together_total', {
      type: 'VoucherRedeemed',
    });
    const together = async (envelopes: EventEnvelope<object>[]) => {
      await publishTogether(issuance.env.KAFKA_TOPIC_PREFIX!, envelopes);
      for (const envelope of envelopes) await world.feed.appliedOrDeadLettered(envelope.eventId);
    };

    await together([
      world.feed.envelope(VoucherRedeemed, { ...redeemedFirst, redeemedAt: at, redeemedBy: 'site-staff' }),
      world.feed.envelope(VoucherRedeemed, { ...redemption(second), redeemedAt: at, redeemedBy: 'site-staff' }),
      world.feed.envelope(RedemptionCancelled, {
        ...redeemedFirst,
        cancelledAt: at,
        reason: 'Erreur de saisie',
        cancelledBy: 'site-staff',
      }),
      world.feed.envelope(VoucherExpired, {
        passId: third.id,
        bookletId: booklet.id,
        programId,
        agencyId,
        amountCents: 1000,
        expiredAt: at,
      }),
    ]);
    expect([await passStatus(first.id), await passStatus(second.id), await passStatus(third.id)]).toEqual([
      'issued',
      'redeemed',
      'expired',
    ]);

    // By the batch method.
    expect(await metricValue(issuance.url, 'events_applied_together_total', { type: 'VoucherRedeemed' })).toBe(
      redeemedTogether + 2,
    );

    const unknownPass = world.feed.envelope(VoucherRedeemed, {
      ...redemption({ id: randomUUID() }),
      redeemedAt: at,
      redeemedBy: 'site-staff',
    });
    await together([
      world.feed.envelope(VoucherRedeemed, {
        ...redemption(booklet.passes[3]),
        redeemedAt: at,
        redeemedBy: 'site-staff',
      }),
      unknownPass,
      world.feed.envelope(VoucherRedeemed, {
        ...redemption(booklet.passes[5]),
        redeemedAt: at,
        redeemedBy: 'site-staff',
      }),
    ]);
    expect([await passStatus(booklet.passes[3].id), await passStatus(booklet.passes[5].id)]).toEqual([
      'redeemed',
      'redeemed',
    ]);
    const letters = await scope.sql<{ error: string }>(
      'issuance',
      'SELECT error FROM dead_letters WHERE event_id = $1',
      [unknownPass.eventId],
    );
    expect(letters).toEqual([{ error: expect.stringMatching(/^VoucherRedeemed refers to unknown pass/) }]);
  });

  it.each([
    [
      'VoucherRedeemed',
      () =>
        world.feed.deliverPoison(VoucherRedeemed, {
          redemptionId: randomUUID(),
          passId: randomUUID(),
          bookletId: randomUUID(),
          programId,
          agencyId,
          siteId: randomUUID(),
          amountCents: 1000,
          redeemedAt: new Date().toISOString(),
          redeemedBy: 's',
        }),
    ],
    [
      'VoucherExpired',
      () =>
        world.feed.deliverPoison(VoucherExpired, {
          passId: randomUUID(),
          bookletId: randomUUID(),
          programId,
          agencyId,
          amountCents: 1000,
          expiredAt: new Date().toISOString(),
        }),
    ],
    [
      'VoucherVoided',
      () =>
        world.feed.deliverPoison(VoucherVoided, {
          requestId: randomUUID(),
          passId: randomUUID(),
          bookletId: randomUUID(),
          programId,
          agencyId,
          amountCents: 1000,
          voidedAt: new Date().toISOString(),
        }),
    ],
  ])('given %s for an unknown pass, then it is dead-lettered with a clear error', async (type, deliver) => {
    expect(await deliver()).toMatch(new RegExp(`^${type} refers to unknown pass`));
  });

  it('given VoucherVoided for a known pass but an unknown request, then it is dead-lettered and nothing changes', async () => {
    const booklet = await issue();
    const pass = booklet.passes[0];
    const before = await world.balance(agencyId, programId);

    const error = await world.feed.deliverPoison(VoucherVoided, {
      requestId: randomUUID(),
      passId: pass.id,
      bookletId: booklet.id,
      programId,
      agencyId,
      amountCents: 1000,
      voidedAt: new Date().toISOString(),
    });

    expect(error).toMatch(/unknown void request/);
    expect(await passStatus(pass.id)).toBe('issued');
    expect(await world.balance(agencyId, programId)).toBe(before);
  });
});
