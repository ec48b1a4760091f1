import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { VoucherRedeemed } from '@app/contracts';
import type { RunningService } from '@app/testing';
import { TestScope, testToken } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { bearer, IssuanceWorld, parisDay } from './issuance-fixture';

describe('booklet and allocation views', () => {
  const scope = new TestScope('issviews');
  let issuance: RunningService;
  let world: IssuanceWorld;
  let a: { agencyId: string; counselor: string };
  let b: { agencyId: string; counselor: string };
  let p1: string;
  let p2: string;
  let booklets: Array<{ id: string; passes: Array<{ id: string }> }>;
  let operator: string;

  const get = (path: string, token: string) => request(issuance.url).get(path).set('Authorization', bearer(token));

  beforeAll(async () => {
    issuance = await scope.start(issuanceService);
    world = new IssuanceWorld(scope, issuance);
    operator = await testToken({ role: 'operator' });
    const first = await world.agencyWithAllocation(5, { name: 'Programme A' });
    a = first;
    p1 = first.program.programId;
    p2 = (await world.openProgram({ name: 'Programme B', bookletSize: 5 })).programId;
    await world.grant(a.agencyId, p2, 3 * 5 * 1000);
    const agencyB = await world.registerAgency();
    await world.grant(agencyB, p1, 2 * 10 * 1000);
    b = { agencyId: agencyB, counselor: await testToken({ role: 'counselor', org: agencyB }) };

    booklets = [];
    for (const programId of [p1, p1, p1, p2])
      booklets.push((await world.issue(a.counselor, programId).expect(201)).body);
    await world.issue(b.counselor, p1).expect(201);
    const started = booklets[0];
    await world.feed.deliver(VoucherRedeemed, {
      redemptionId: randomUUID(),
      passId: started.passes[0].id,
      bookletId: started.id,
      programId: p1,
      agencyId: a.agencyId,
      siteId: randomUUID(),
      amountCents: 1000,
      redeemedAt: new Date().toISOString(),
      redeemedBy: 'site',
    });
  });
  afterAll(() => scope.close());

  describe('GET /booklets', () => {
    it('given a counselor, then only its agency’s booklets, newest first, even when it asks for another agency', async () => {
      const own = await get('/booklets', a.counselor).expect(200);
      const sneaky = await get(`/booklets?agencyId=${b.agencyId}`, a.counselor).expect(200);

      expect(own.body).toMatchObject({ total: 4, page: 1, pageSize: 50 });
      expect(own.body.items.map((i: { id: string }) => i.id)).toEqual(booklets.map((x) => x.id).reverse());
      expect(own.body.items.every((i: { agencyId: string }) => i.agencyId === a.agencyId)).toBe(true);
      expect(sneaky.body.items.map((i: { id: string }) => i.id)).toEqual(
        own.body.items.map((i: { id: string }) => i.id),
      );
    });

    it('given pages of 3, then page 1 and 2 split the 4 booklets without overlap, page 3 is empty', async () => {
      const pages = await Promise.all(
        [1, 2, 3].map((page) => get(`/booklets?pageSize=3&page=${page}`, a.counselor).expect(200)),
      );

      expect(pages.map((p) => p.body.items.length)).toEqual([3, 1, 0]);
      expect(pages.every((p) => p.body.total === 4)).toBe(true);
      const ids = pages.flatMap((p) => p.body.items.map((i: { id: string }) => i.id));
      expect(new Set(ids)).toEqual(new Set(booklets.map((x) => x.id)));
    });

    it('given a program filter, then only that program’s booklets, with the program name', async () => {
      const response = await get(`/booklets?programId=${p2}`, a.counselor).expect(200);

      expect(response.body.total).toBe(1);
      expect(response.body.items[0]).toMatchObject({
        id: booklets[3].id,
        programId: p2,
        programName: 'Programme B',
        totalCents: 5000,
        passesIssued: 5,
      });
    });

    it('given a status filter, then the booklet with a redeemed pass is started and the others issued', async () => {
      const started = await get('/booklets?status=started', a.counselor).expect(200);
      const untouched = await get('/booklets?status=issued', a.counselor).expect(200);

      expect(started.body.items.map((i: { id: string }) => i.id)).toEqual([booklets[0].id]);
      expect(started.body.items[0]).toMatchObject({ status: 'started', passesRedeemed: 1, passesIssued: 9 });
      expect(untouched.body.total).toBe(3);
    });

    it('given date bounds (Paris dates, inclusive), then today’s booklets are within today and outside yesterday or tomorrow', async () => {
      const today = await get(`/booklets?from=${parisDay(0)}&to=${parisDay(0)}`, a.counselor).expect(200);
      const before = await get(`/booklets?to=${parisDay(-1)}`, a.counselor).expect(200);
      const after = await get(`/booklets?from=${parisDay(1)}`, a.counselor).expect(200);

      expect([today.body.total, before.body.total, after.body.total]).toEqual([4, 0, 0]);
    });

    it('given an operator, then all agencies, or one with agencyId', async () => {
      const all = await get('/booklets', operator).expect(200);
      const onlyB = await get(`/booklets?agencyId=${b.agencyId}`, operator).expect(200);

      expect(all.body.total).toBe(5);
      expect(onlyB.body.total).toBe(1);
      expect(onlyB.body.items[0].agencyId).toBe(b.agencyId);
    });

    it.each([['status=lost'], ['pageSize=500'], ['page=0'], ['from=31/12/2026'], ['programId=nope']])(
      'given %s, then 400 VALIDATION_FAILED',
      async (query) => {
        const response = await get(`/booklets?${query}`, a.counselor).expect(400);

        expect(response.body.code).toBe('VALIDATION_FAILED');
      },
    );

    it('given a funder, then 403', async () => {
      await get('/booklets', await testToken({ role: 'funder', org: randomUUID() })).expect(403);
    });
  });

  describe('GET /booklets/:id', () => {
    it('given the issuing agency’s counselor, then the booklet with each pass’s status', async () => {
      const response = await get(`/booklets/${booklets[0].id}`, a.counselor).expect(200);

      expect(response.body).toMatchObject({
        id: booklets[0].id,
        agencyId: a.agencyId,
        status: 'started',
        beneficiary: { situation: 'job_seeker' },
      });
      expect(response.body.passes.map((p: { status: string }) => p.status)).toEqual([
        'redeemed',
        ...Array(9).fill('issued'),
      ]);
    });

    it('given a counselor of another agency, then 404 BOOKLET_NOT_FOUND, as for an unknown booklet', async () => {
      const foreign = await get(`/booklets/${booklets[0].id}`, b.counselor).expect(404);
      const unknown = await get(`/booklets/${randomUUID()}`, b.counselor).expect(404);

      expect(foreign.body).toEqual(unknown.body);
      expect(foreign.body.code).toBe('BOOKLET_NOT_FOUND');
    });

    it('given the operator, then any booklet', async () => {
      await get(`/booklets/${booklets[0].id}`, operator).expect(200);
    });
  });

  describe('GET /allocations', () => {
    it('given a counselor, then its agency’s balance per program with the whole booklets left', async () => {
      const response = await get('/allocations', a.counselor).expect(200);

      const byProgram = Object.fromEntries(response.body.map((r: { programId: string }) => [r.programId, r]));
      expect(Object.keys(byProgram).sort()).toEqual([p1, p2].sort());
      expect(byProgram[p1]).toMatchObject({
        agencyId: a.agencyId,
        programName: 'Programme A',
        grantedCents: 50_000,
        balanceCents: 20_000,
        remainingBooklets: 2,
        bookletSize: 10,
      });
      expect(byProgram[p2]).toMatchObject({
        grantedCents: 15_000,
        balanceCents: 10_000,
        remainingBooklets: 2,
        bookletSize: 5,
      });
    });

    it('given the operator with agencyId, then that agency’s balances only', async () => {
      const response = await get(`/allocations?agencyId=${b.agencyId}`, operator).expect(200);

      expect(response.body).toEqual([
        expect.objectContaining({ agencyId: b.agencyId, programId: p1, balanceCents: 10_000, remainingBooklets: 1 }),
      ]);
    });

    it('given a site token, then 403', async () => {
      await get('/allocations', await testToken({ role: 'site', org: randomUUID() })).expect(403);
    });
  });
});
