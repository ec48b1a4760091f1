import { fundingService } from '../../services/funding/src/funding.service-definition';
import { AllocationReleased } from '@app/contracts';
import { envelopeOf, publishEnvelopes, TestScope, testToken } from '@app/testing';
import { bearer, FundingDriver } from './funding-fixtures';

describe('funders, programs and allocations', () => {
  const scope = new TestScope('programs');
  let driver: FundingDriver;
  let state: string;
  let departement: string;
  let caf: string;

  beforeAll(async () => {
    driver = await FundingDriver.create(scope, await scope.start(fundingService));
    state = await driver.registerFunder('État (ANCT)', 'state');
    departement = await driver.registerFunder('Département de la Haute-Garonne', 'departement');
    caf = await driver.registerFunder('CAF de la Haute-Garonne', 'caf');
  });
  afterAll(() => scope.close());

  it('opens a co-funded program: budget committed per funding line, ProgramOpened written', async () => {
    const program = await driver.openProgram([
      { funderId: state, shareBasisPoints: 5000 },
      { funderId: departement, shareBasisPoints: 5000 },
    ]);
    const balances = await driver.balances(program.id);
    expect(balances.totals).toMatchObject({ program_unallocated: 1_000_000, funder_commitment: 1_000_000 });
    expect(
      balances.fundingLines.map((l: { balances: { program_unallocated: number } }) => l.balances.program_unallocated),
    ).toEqual([500_000, 500_000]);
    const events = await scope.sql<{ event_type: string }>(
      'funding',
      `SELECT event_type FROM outbox_messages WHERE message_key = $1`,
      [program.id],
    );
    expect(events.map((e) => e.event_type)).toEqual(['ProgramOpened']);
  });

  it('splits a budget of three thirds by the largest remainder, the extra cent on the first line', async () => {
    const program = await driver.openProgram(
      [
        { funderId: state, shareBasisPoints: 3334 },
        { funderId: departement, shareBasisPoints: 3333 },
        { funderId: caf, shareBasisPoints: 3333 },
      ],
      { budgetCents: 1000 },
    );
    const balances = await driver.balances(program.id);
    expect(
      balances.fundingLines.map((l: { balances: { program_unallocated: number } }) => l.balances.program_unallocated),
    ).toEqual([334, 333, 333]);
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ['shares not summing to 10000', { fundingLines: 'half' }, 422, 'FUNDING_SHARES_NOT_100_PERCENT'],
    ['an unknown funder', { fundingLines: 'unknown' }, 422, 'FUNDER_NOT_FOUND'],
    ['a territory code that does not exist', { territory: ['20'] }, 400, 'VALIDATION_FAILED'],
    [
      'a validity end before its start',
      { validFrom: '2027-01-01', validUntil: '2026-12-31' },
      422,
      'PROGRAM_DATES_INVALID',
    ],
    ['a booklet size of 7', { bookletSize: 7 }, 400, 'VALIDATION_FAILED'],
    ['a day that does not exist', { validUntil: '2030-02-31' }, 400, 'VALIDATION_FAILED'],
    ['a 29 February outside a leap year', { validFrom: '2027-02-29' }, 400, 'VALIDATION_FAILED'],
    [
      'a validity wholly in the past',
      { validFrom: '2020-01-01', validUntil: '2020-12-31' },
      422,
      'PROGRAM_VALIDITY_PAST',
    ],
    ['a zero budget', { budgetCents: 0 }, 400, 'VALIDATION_FAILED'],
    ['a budget over one billion euros', { budgetCents: 100_000_000_001 }, 400, 'VALIDATION_FAILED'],
    ['a budget of 1e20 cents', { budgetCents: 1e20 }, 400, 'NUMBER_OUT_OF_RANGE'],
    ['a budget beyond 2^53 cents', { budgetCents: 2 ** 53 + 2 }, 400, 'NUMBER_OUT_OF_RANGE'],
    ['a NUL character in its name', { name: 'Pass\u0000 numérique' }, 400, 'CONTROL_CHARACTER'],
    ['a bell character in its name', { name: 'Pass\u0007 numérique' }, 400, 'CONTROL_CHARACTER'],
    [
      'a __proto__ key',
      JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>,
      400,
      'FIELD_NOT_ALLOWED',
    ],
    ['a constructor key', { constructor: { name: 'x' } }, 400, 'FIELD_NOT_ALLOWED'],
  ])('refuses a program with %s, and opens nothing', async (_, change, status, code) => {
    const before = await scope.sql('funding', 'SELECT id FROM programs');
    const fundingLines =
      change.fundingLines === 'half'
        ? [
            { funderId: state, shareBasisPoints: 5000 },
            { funderId: departement, shareBasisPoints: 4999 },
          ]
        : change.fundingLines === 'unknown'
          ? [{ funderId: '00000000-0000-4000-8000-000000000000', shareBasisPoints: 10000 }]
          : [{ funderId: state, shareBasisPoints: 10000 }];
    const response = await driver
      .http()
      .post('/programs')
      .set('Authorization', bearer(driver.operator))
      .send({
        name: 'Programme refusé',
        validFrom: '2026-01-01',
        validUntil: '2027-12-31',
        toleranceDays: 31,
        territory: ['31'],
        budgetCents: 1000,
        ...change,
        fundingLines,
      });
    expect([response.status, response.body]).toEqual([status, expect.objectContaining({ code })]);
    expect(response.body.code).toBe(code);
    expect(response.body.message).toMatch(/[éèàêç]|[A-Z][a-z]+ [a-z]+/);
    expect(await scope.sql('funding', 'SELECT id FROM programs')).toHaveLength(before.length);
  });

  describe('allocations', () => {
    let programId: string;
    let agencyId: string;

    beforeAll(async () => {
      programId = (
        await driver.openProgram(
          [
            { funderId: state, shareBasisPoints: 5000 },
            { funderId: departement, shareBasisPoints: 5000 },
          ],
          { budgetCents: 50_000 },
        )
      ).id;
      agencyId = await driver.knownAgency();
    });

    it('grants whole booklets to a known agency and publishes AllocationGranted', async () => {
      const response = await driver.allocate(programId, agencyId, 20_000).expect(201);
      expect(response.body).toMatchObject({ programId, agencyId, amountCents: 20_000 });
      const balances = await driver.balances(programId);
      expect(balances.totals).toMatchObject({ program_unallocated: 30_000, agency_allocated: 20_000 });
      const [event] = await scope.sql<{ payload: { payload: object } }>(
        'funding',
        `SELECT payload FROM outbox_messages WHERE event_type = 'AllocationGranted'`,
      );
      expect(event.payload.payload).toMatchObject({ programId, agencyId, amountCents: 20_000 });
    });

    it.each([
      ['more than is unallocated', 40_000, 422, 'ALLOCATION_EXCEEDS_UNALLOCATED'],
      ['a part of a booklet', 15_000, 422, 'ALLOCATION_NOT_WHOLE_BOOKLETS'],
    ])('refuses %s and moves nothing', async (_, amount, status, code) => {
      const before = await driver.balances(programId);
      const response = await driver.allocate(programId, agencyId, amount);
      expect([response.status, response.body.code]).toEqual([status, code]);
      expect((await driver.balances(programId)).totals).toEqual(before.totals);
    });

    it('refuses an unknown agency and an unknown program', async () => {
      expect((await driver.allocate(programId, '00000000-0000-4000-8000-000000000000', 10_000)).body.code).toBe(
        'AGENCY_NOT_FOUND',
      );
      expect((await driver.allocate('00000000-0000-4000-8000-000000000000', agencyId, 10_000)).status).toBe(404);
    });

    it('lets the lead funder allocate, refuses another co-funder, and hides the program from a stranger', async () => {
      const lead = await testToken({ role: 'funder', org: state });
      const coFunder = await testToken({ role: 'funder', org: departement });
      const stranger = await testToken({ role: 'funder', org: caf });
      await driver.allocate(programId, agencyId, 10_000, lead).expect(201);
      expect((await driver.allocate(programId, agencyId, 10_000, coFunder)).body.code).toBe('NOT_LEAD_FUNDER');
      expect((await driver.allocate(programId, agencyId, 10_000, stranger)).status).toBe(404);
      await driver.http().get(`/programs/${programId}/balances`).set('Authorization', bearer(stranger)).expect(404);
      await driver.http().get(`/programs/${programId}/balances`).set('Authorization', bearer(coFunder)).expect(200);
      const listed = await driver.http().get('/programs').set('Authorization', bearer(stranger)).expect(200);
      expect(listed.body.items.map((p: { id: string }) => p.id)).not.toContain(programId);
    });

    it('serialises concurrent allocations: never more than the unallocated budget', async () => {
      const program = (
        await driver.openProgram([{ funderId: state, shareBasisPoints: 10000 }], { budgetCents: 50_000 })
      ).id;
      const statuses = await Promise.all(
        Array.from({ length: 12 }, () => driver.allocate(program, agencyId, 10_000).then((r) => r.status)),
      );
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 422)).toHaveLength(7);
      expect((await driver.balances(program)).totals).toMatchObject({
        program_unallocated: 0,
        agency_allocated: 50_000,
      });
    });

    it('asks issuance to free unused allocation, and returns what it freed to the unallocated budget, once', async () => {
      const requested = await driver
        .http()
        .post(`/programs/${programId}/reclaims`)
        .set('Authorization', bearer(driver.operator))
        .send({ agencyId, amountCents: 20_000, reason: "L'agence ferme" })
        .expect(201);
      const reclaimId = requested.body.id;
      const [asked] = await scope.sql<{ payload: { payload: object } }>(
        'funding',
        `SELECT payload FROM outbox_messages WHERE event_type = 'AllocationReclaimRequested'`,
      );
      expect(asked.payload.payload).toMatchObject({ reclaimId, programId, agencyId, requestedCents: 20_000 });

      const before = await driver.balances(programId);
      const released = envelopeOf(AllocationReleased, { reclaimId, programId, agencyId, amountCents: 10_000 });
      const again = envelopeOf(AllocationReleased, { reclaimId, programId, agencyId, amountCents: 10_000 });
      await publishEnvelopes(driver.funding.env.KAFKA_TOPIC_PREFIX!, [released, again]);
      await driver.consumed([released.eventId, again.eventId]);

      const after = await driver.balances(programId);
      expect(after.totals.program_unallocated - before.totals.program_unallocated).toBe(10_000);
      expect(after.totals.agency_allocated - before.totals.agency_allocated).toBe(-10_000);
      const [reduced] = await scope.sql<{ payload: { payload: object } }>(
        'funding',
        `SELECT payload FROM outbox_messages WHERE event_type = 'AllocationReduced'`,
      );
      expect(reduced.payload.payload).toEqual({ reclaimId, programId, agencyId, amountCents: 10_000 });
      const [letter] = await scope.sql<{ error: string }>(
        'funding',
        'SELECT error FROM dead_letters WHERE event_id = $1',
        [again.eventId],
      );
      expect(letter.error).toContain('already answered');
      const listed = await driver
        .http()
        .get(`/programs/${programId}/allocations`)
        .set('Authorization', bearer(driver.operator))
        .expect(200);
      expect(listed.body.reclaims).toEqual([
        expect.objectContaining({ id: reclaimId, requestedCents: 20_000, freedCents: 10_000 }),
      ]);
    });

    it('pages through the transfers of a program', async () => {
      const page = await driver
        .http()
        .get(`/programs/${programId}/transfers?page=1&pageSize=2`)
        .set('Authorization', bearer(driver.operator))
        .expect(200);
      expect(page.body.total).toBe(8); // budget, two allocations and one reclaim, each on 2 lines
      expect(page.body.items).toHaveLength(2);
      expect(page.body.items[0]).toMatchObject({
        kind: 'budget_committed',
        debitKind: 'funder_commitment',
        creditKind: 'program_unallocated',
        amountCents: 25_000,
      });
    });
  });

  describe('budget and closure', () => {
    it('increases a budget, closes the program, then refuses any change', async () => {
      const program = (await driver.openProgram([{ funderId: state, shareBasisPoints: 10000 }], { budgetCents: 1000 }))
        .id;
      const increased = await driver
        .http()
        .post(`/programs/${program}/budget-increases`)
        .set('Authorization', bearer(driver.operator))
        .send({ amountCents: 500 })
        .expect(201);
      expect(increased.body.budgetCents).toBe(1500);
      await driver
        .http()
        .post(`/programs/${program}/closure`)
        .set('Authorization', bearer(driver.operator))
        .send({ reason: 'Fin du dispositif' })
        .expect(201);
      const refused = await driver
        .http()
        .post(`/programs/${program}/budget-increases`)
        .set('Authorization', bearer(driver.operator))
        .send({ amountCents: 500 })
        .expect(409);
      expect(refused.body.code).toBe('PROGRAM_CLOSED');
      expect((await driver.balances(program)).totals.program_unallocated).toBe(1500);
      const events = await scope.sql<{ event_type: string }>(
        'funding',
        `SELECT event_type FROM outbox_messages WHERE message_key = $1 ORDER BY id`,
        [program],
      );
      expect(events.map((e) => e.event_type)).toEqual(['ProgramOpened', 'ProgramBudgetIncreased', 'ProgramClosed']);
      expect((await driver.reconciliation()).filter((v: { programId?: string }) => v.programId === program)).toEqual(
        [],
      );
    });

    it('allocates every whole booklet of a budget whose shares do not divide it, and says what is left', async () => {
      const program = (
        await driver.openProgram(
          [
            { funderId: state, shareBasisPoints: 3333 },
            { funderId: departement, shareBasisPoints: 3333 },
            { funderId: caf, shareBasisPoints: 3334 },
          ],
          { budgetCents: 100_001 },
        )
      ).id;
      const agencyId = await driver.knownAgency();
      await driver.allocate(program, agencyId, 100_000).expect(201);
      const refused = await driver.allocate(program, agencyId, 10_000).expect(422);
      expect(refused.body).toMatchObject({
        code: 'ALLOCATION_EXCEEDS_UNALLOCATED',
        details: { allocatableCents: 0, unallocatedCents: 1, requestedCents: 10_000 },
      });
      expect(refused.body.message).toContain('au plus 0,00 €');
      expect((await driver.balances(program)).totals).toMatchObject({
        program_unallocated: 1,
        agency_allocated: 100_000,
      });
    });

    it('refuses a budget increase that would take a program over one billion euros', async () => {
      const program = (
        await driver.openProgram([{ funderId: state, shareBasisPoints: 10000 }], { budgetCents: 99_999_999_000 })
      ).id;
      const increase = (amountCents: number) =>
        driver
          .http()
          .post(`/programs/${program}/budget-increases`)
          .set('Authorization', bearer(driver.operator))
          .send({ amountCents });
      expect((await increase(1e16).expect(400)).body.code).toBe('NUMBER_OUT_OF_RANGE');
      expect((await increase(1e15).expect(400)).body.code).toBe('VALIDATION_FAILED');
      const refused = await increase(1_001).expect(422);
      expect(refused.body.code).toBe('PROGRAM_BUDGET_LIMIT');
      expect(refused.body.message).toContain('1 000 000 000,00 €');
      expect((await increase(1_000).expect(201)).body.budgetCents).toBe(100_000_000_000);
    });
  });

  it('pages the list of programs like every list', async () => {
    const list = (query: string) =>
      driver.http().get(`/programs${query}`).set('Authorization', bearer(driver.operator)).expect(200);
    for (const name of ['Programme A', 'Programme B', 'Programme C', 'Programme D'])
      await driver.openProgram([{ funderId: state, shareBasisPoints: 10000 }], { name });
    const all = (await list('?pageSize=200')).body;
    expect(all.total).toBeGreaterThanOrEqual(4);
    expect(all.items).toHaveLength(all.total);
    const second = (await list('?page=2&pageSize=2')).body;
    expect(second).toMatchObject({ page: 2, pageSize: 2, total: all.total });
    expect(second.items.map((p: { id: string }) => p.id)).toEqual(
      all.items.slice(2, 4).map((p: { id: string }) => p.id),
    );
    expect(second.items[0].fundingLines.length).toBeGreaterThan(0);
    for (const query of ['?page=0', '?pageSize=201', '?page=abc', '?page=1e300'])
      await driver.http().get(`/programs${query}`).set('Authorization', bearer(driver.operator)).expect(400);
  });

  describe('bodies no validator should see', () => {
    const post = () => driver.http().post('/programs').set('Authorization', bearer(driver.operator));
    it.each<[string, (test: ReturnType<typeof post>) => ReturnType<typeof post>, number, string]>([
      ['over the size limit', (t) => t.send({ name: 'x'.repeat(2_000_000) }), 413, 'PAYLOAD_TOO_LARGE'],
      ['malformed JSON', (t) => t.set('Content-Type', 'application/json').send('{"name": "a",'), 400, 'MALFORMED_JSON'],
      [
        'nested 5,000 levels deep',
        (t) => t.set('Content-Type', 'application/json').send(`{"name":${'['.repeat(5000)}${']'.repeat(5000)}}`),
        400,
        'INPUT_TOO_DEEP',
      ],
      [
        'in a character set other than UTF-8',
        (t) => t.set('Content-Type', 'application/json; charset=koi8-r').send('{}'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['with a text of 20,000 characters', (t) => t.send({ name: 'é'.repeat(20_000) }), 400, 'TEXT_TOO_LONG'],
    ])('answers a body %s with a clear problem, not a 500', async (_, send, status, code) => {
      const response = await send(post());
      expect([response.status, response.body.code]).toEqual([status, code]);
      expect(response.body.message).toMatch(/[éèàêç]/);
    });
  });
});
