import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ProgramClosed } from '@app/contracts';
import { hashPassCode, parsePassCode } from '@app/pass-codes';
import type { RunningService } from '@app/testing';
import { readTopic, TestScope, testToken } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { bearer, FRENCH, IssuanceWorld } from './issuance-fixture';

interface IssuedBooklet {
  id: string;
  beneficiary: { beneficiaryRef: string; ageBand: string | null; situation: string; diagnosticLevel: string };
  passes: Array<{ id: string; code: string; position: number; amountCents: number }>;
}

const PROFILES = [
  { ageBand: '60_74', situation: 'senior', diagnosticLevel: 'no_autonomy' },
  { situation: 'rsa_recipient', diagnosticLevel: 'partial_autonomy' },
  { ageBand: 'under_26', situation: 'young_person', diagnosticLevel: 'low_autonomy' },
];
const canonical = (code: string) => (parsePassCode(code) as { canonical: string }).canonical;

describe('ordering booklets in bulk (POST /booklet-orders)', () => {
  const scope = new TestScope('issorders');
  let issuance: RunningService;
  let world: IssuanceWorld;

  const count = async (sql: string, parameters: unknown[]) =>
    (await scope.sql<{ n: number }>('issuance', sql, parameters))[0].n;
  const bookletsOf = (agencyId: string) =>
    count('SELECT count(*)::int AS n FROM booklets WHERE agency_id = $1', [agencyId]);
  const eventsOf = (agencyId: string) =>
    count(
      `SELECT count(*)::int AS n FROM outbox_messages WHERE event_type = 'BookletIssued' AND payload->'payload'->>'agencyId' = $1`,
      [agencyId],
    );

  beforeAll(async () => {
    issuance = await scope.start(issuanceService, { DATABASE_POOL_SIZE: '10' });
    world = new IssuanceWorld(scope, issuance);
  });
  afterAll(() => scope.close());

  describe('given an agency with 120 booklets’ worth, when it orders 100 booklets for 100 beneficiaries', () => {
    let agencyId: string;
    let programId: string;
    let counselor: string;
    let order: { id: string; bookletCount: number; totalCents: number; booklets: IssuedBooklet[] };
    const profiles = Array.from({ length: 100 }, (_, i) => PROFILES[i % PROFILES.length]);

    beforeAll(async () => {
      const setup = await world.agencyWithAllocation(120);
      ({ agencyId, counselor } = setup);
      programId = setup.program.programId;
      order = (await world.order(counselor, programId, profiles).expect(201)).body;
    });

    it('then the answer holds 100 booklets of 10 passes with valid codes, all different, in the order of the beneficiaries', () => {
      expect(order).toMatchObject({ programId, agencyId, bookletCount: 100, totalCents: 1_000_000 });
      expect(order.booklets).toHaveLength(100);
      order.booklets.forEach((booklet, i) => {
        expect(booklet.beneficiary).toEqual({
          beneficiaryRef: expect.stringMatching(/^BEN-/),
          ageBand: null,
          ...profiles[i],
        });
        expect(booklet.passes.map((p) => p.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        for (const pass of booklet.passes) expect(parsePassCode(pass.code).valid).toBe(true);
      });
      const codes = order.booklets.flatMap((b) => b.passes.map((p) => p.code));
      expect(new Set(codes).size).toBe(1000);
      expect(new Set(order.booklets.map((b) => b.beneficiary.beneficiaryRef)).size).toBe(100);
    });

    it('then 100 booklets’ worth is taken from the allocation, and the rows match the answer', async () => {
      expect(await world.balance(agencyId, programId)).toBe(200_000);
      expect(await bookletsOf(agencyId)).toBe(100);
      const [first] = order.booklets;
      const rows = await scope.sql<{ id: string; code_hash: string }>(
        'issuance',
        'SELECT id, code_hash FROM passes WHERE booklet_id = $1 ORDER BY position',
        [first.id],
      );
      expect(rows).toEqual(first.passes.map((p) => ({ id: p.id, code_hash: hashPassCode(canonical(p.code)) })));
    });

    it('then one BookletIssued per booklet is in the outbox, keyed by the booklet, with its beneficiary’s profile and its passes’ hashes', async () => {
      const events = await scope.sql<{ message_key: string; payload: { payload: Record<string, unknown> } }>(
        'issuance',
        `SELECT message_key, payload FROM outbox_messages WHERE event_type = 'BookletIssued' AND payload->'payload'->>'agencyId' = $1`,
        [agencyId],
      );
      expect(events).toHaveLength(100);
      const byBooklet = new Map(events.map((e) => [e.message_key, e.payload.payload]));
      for (const booklet of order.booklets) {
        expect(byBooklet.get(booklet.id)).toMatchObject({
          bookletId: booklet.id,
          programId,
          agencyId,
          beneficiary: { beneficiaryRef: booklet.beneficiary.beneficiaryRef, situation: booklet.beneficiary.situation },
          totalCents: 10_000,
          passes: booklet.passes.map((p) => ({
            passId: p.id,
            codeHash: hashPassCode(canonical(p.code)),
            amountCents: 1000,
          })),
        });
      }
    });

    it('then every BookletIssued reaches the issuance topic, with no code in it', async () => {
      const ids = order.booklets.map((b) => b.id);
      const published = await readTopic(`${issuance.env.KAFKA_TOPIC_PREFIX}pass.issuance.events`, (values) =>
        ids.every((id) => values.some((v) => v.includes(id))),
      );
      const text = published.join('\n');
      for (const pass of order.booklets[0].passes) expect(text).not.toContain(canonical(pass.code));
    });

    it('then the order lists its booklets, each readable and printable as a single booklet', async () => {
      const response = await request(issuance.url)
        .get(`/booklet-orders/${order.id}`)
        .set('Authorization', bearer(counselor))
        .expect(200);
      expect(response.body).toMatchObject({
        id: order.id,
        agencyId,
        programId,
        bookletCount: 100,
        bookletIds: order.booklets.map((b) => b.id),
      });
      expect(JSON.stringify(response.body)).not.toContain(canonical(order.booklets[0].passes[0].code).slice(0, 8));

      await request(issuance.url)
        .get(`/booklets/${order.booklets[42].id}`)
        .set('Authorization', bearer(counselor))
        .expect(200);
      const pdf = await request(issuance.url)
        .get(`/booklets/${order.booklets[42].id}/pdf`)
        .set('Authorization', bearer(counselor))
        .buffer(true)
        .expect(200);
      expect(pdf.headers['content-type']).toContain('application/pdf');
    });

    it('then a counselor of another agency does not see the order (404)', async () => {
      const other = await world.agencyWithAllocation(1);

      const response = await request(issuance.url)
        .get(`/booklet-orders/${order.id}`)
        .set('Authorization', bearer(other.counselor))
        .expect(404);

      expect(response.body.code).toBe('BOOKLET_ORDER_NOT_FOUND');
    });

    it('when it orders 21 booklets with 20 left, then 409 ALLOCATION_EXHAUSTED in French naming what is left, and nothing at all is issued', async () => {
      const response = await world.order(counselor, programId, 21).expect(409);

      expect(response.body).toMatchObject({
        code: 'ALLOCATION_EXHAUSTED',
        details: { requestedBooklets: 21, remainingBooklets: 20 },
      });
      expect(response.body.message).toMatch(FRENCH);
      expect(await world.balance(agencyId, programId)).toBe(200_000);
      expect(await bookletsOf(agencyId)).toBe(100);
      expect(await eventsOf(agencyId)).toBe(100);
      expect(await count('SELECT count(*)::int AS n FROM booklet_orders WHERE agency_id = $1', [agencyId])).toBe(1);
    });

    it('when it then orders exactly the 20 left, then they are issued and the balance is 0', async () => {
      await world.order(counselor, programId, 20).expect(201);

      expect(await world.balance(agencyId, programId)).toBe(0);
      expect(await bookletsOf(agencyId)).toBe(120);
    });
  });

  it('given 100 booklets’ worth, when 8 orders of 20 and 30 single booklets race for it, then exactly 100 booklets are issued, each with its event, and the balance is 0', async () => {
    const { agencyId, program, counselor } = await world.agencyWithAllocation(100);

    const [orders, singles] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => world.order(counselor, program.programId, 20))),
      Promise.all(Array.from({ length: 30 }, () => world.issue(counselor, program.programId))),
    ]);

    const refused = [...orders, ...singles].filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 409 && r.body.code === 'ALLOCATION_EXHAUSTED')).toBe(true);
    const issued = orders.filter((r) => r.status === 201).length * 20 + singles.filter((r) => r.status === 201).length;
    expect(issued).toBe(100);
    expect(await world.balance(agencyId, program.programId)).toBe(0);
    expect(await bookletsOf(agencyId)).toBe(100);
    expect(await eventsOf(agencyId)).toBe(100);
    expect(
      await count(
        'SELECT count(*)::int AS n FROM passes p JOIN booklets b ON b.id = p.booklet_id WHERE b.agency_id = $1',
        [agencyId],
      ),
    ).toBe(1000);
  });

  describe('with an Idempotency-Key', () => {
    it('given an order sent twice with the same key, then the second answer is the first order, codes included, and it is issued once', async () => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(10);
      const key = randomUUID();

      const first = (await world.order(counselor, program.programId, PROFILES, key).expect(201)).body;
      const second = (await world.order(counselor, program.programId, PROFILES, key).expect(201)).body;

      expect(second).toEqual(first);
      expect(await world.balance(agencyId, program.programId)).toBe(70_000);
      expect(await bookletsOf(agencyId)).toBe(3);
      expect(await eventsOf(agencyId)).toBe(3);
    });

    it('given 5 concurrent retries of one order, then all answer the same order and it is issued once', async () => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(10);
      const key = randomUUID();

      const responses = await Promise.all(
        Array.from({ length: 5 }, () => world.order(counselor, program.programId, 4, key)),
      );

      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(new Set(responses.map((r) => r.body.booklets[3].passes[9].code)).size).toBe(1);
      expect(await world.balance(agencyId, program.programId)).toBe(60_000);
      expect(await bookletsOf(agencyId)).toBe(4);
      expect(await eventsOf(agencyId)).toBe(4);
    });

    it('given a key already used for another order, then 409 IDEMPOTENCY_KEY_REUSED in French and nothing more is issued', async () => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(10);
      const key = randomUUID();
      await world.order(counselor, program.programId, 2, key).expect(201);

      const response = await world.order(counselor, program.programId, 3, key).expect(409);

      expect(response.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(response.body.message).toMatch(FRENCH);
      expect(await bookletsOf(agencyId)).toBe(2);
    });

    it('given a key claimed by an order that was refused, then the claim was rolled back with it and the key serves again', async () => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(2);
      const key = randomUUID();
      await world.order(counselor, program.programId, 3, key).expect(409);
      expect(
        await count('SELECT count(*)::int AS n FROM booklet_order_requests WHERE agency_id = $1', [agencyId]),
      ).toBe(0);

      await world.order(counselor, program.programId, 2, key).expect(201);

      expect(await bookletsOf(agencyId)).toBe(2);
    });

    it('given an order retried after its program closed, then the key answers the order issued before', async () => {
      const { program, counselor } = await world.agencyWithAllocation(2);
      const key = randomUUID();
      const first = (await world.order(counselor, program.programId, PROFILES.slice(0, 2), key).expect(201)).body;
      await world.feed.deliver(ProgramClosed, { programId: program.programId, reason: 'Fin', closedBy: 'op' });

      const retry = (await world.order(counselor, program.programId, PROFILES.slice(0, 2), key).expect(201)).body;

      expect(retry).toEqual(first);
    });

    it('given the same key used by two agencies, then each gets its own order', async () => {
      const a = await world.agencyWithAllocation(2);
      const b = await world.agencyWithAllocation(2);
      const key = randomUUID();

      const first = (await world.order(a.counselor, a.program.programId, 1, key).expect(201)).body;
      const second = (await world.order(b.counselor, b.program.programId, 1, key).expect(201)).body;

      expect(second.id).not.toBe(first.id);
      expect(await bookletsOf(b.agencyId)).toBe(1);
    });
  });

  describe('refusals', () => {
    it.each([
      ['no beneficiary', []],
      ['501 beneficiaries', 501],
      [
        'a beneficiary with a name',
        [{ situation: 'job_seeker', diagnosticLevel: 'low_autonomy', name: 'Jeanne Dupont' }],
      ],
      ['a beneficiary without diagnostic level', [{ situation: 'job_seeker' }]],
    ])('given %s, then 400 VALIDATION_FAILED and nothing is spent', async (_what, beneficiaries) => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(600);

      const response = await world.order(counselor, program.programId, beneficiaries as object[] | number).expect(400);

      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(await world.balance(agencyId, program.programId)).toBe(6_000_000);
    });

    it('given an open program the agency has no allocation on, then 422 NO_ALLOCATION', async () => {
      const { counselor } = await world.agencyWithAllocation(1);
      const other = await world.openProgram();

      const response = await world.order(counselor, other.programId, 2).expect(422);

      expect(response.body.code).toBe('NO_ALLOCATION');
    });

    it('given an operator token, then 403 AUTH_ROLE_FORBIDDEN: only counselors order', async () => {
      const { program } = await world.agencyWithAllocation(1);

      const response = await world.order(await testToken({ role: 'operator' }), program.programId, 1).expect(403);

      expect(response.body.code).toBe('AUTH_ROLE_FORBIDDEN');
    });

    it('given an Idempotency-Key over 200 characters, then 400 IDEMPOTENCY_KEY_REQUIRED and nothing is spent', async () => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(1);

      const response = await world.order(counselor, program.programId, 1, 'k'.repeat(201)).expect(400);

      expect(response.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      expect(response.body.message).toMatch(FRENCH);
      expect(await world.balance(agencyId, program.programId)).toBe(10_000);
    });

    it('given no Idempotency-Key header, then 400 IDEMPOTENCY_KEY_REQUIRED in French and nothing is issued', async () => {
      const { agencyId, program, counselor } = await world.agencyWithAllocation(1);

      const response = await world.order(counselor, program.programId, 1, null).expect(400);

      expect(response.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      expect(response.body.message).toMatch(FRENCH);
      expect(await bookletsOf(agencyId)).toBe(0);
    });
  });
});
