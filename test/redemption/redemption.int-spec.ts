import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { BookletIssued, VoucherVoidRequested } from '@app/contracts';
import { generatePassCode } from '@app/pass-codes';
import type { RunningService } from '@app/testing';
import { envelopeOf, metricValue, publishTogether, TestScope, waitFor } from '@app/testing';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { accreditedSite, bearer, booklet, FRENCH, issue, outbox, produceEvent, siteBody } from './redemption-fixtures';

describe('redeeming passes', () => {
  const scope = new TestScope('rdredeem');
  let service: RunningService;
  let siteA: string;
  let siteB: string;

  // Refusals are exercised here by the dozen: the guessing limit has its own spec.
  beforeAll(async () => {
    service = await scope.start(redemptionService, {
      REDEMPTION_MAX_FAILED_ATTEMPTS: '10000',
      REDEMPTION_MAX_FAILED_ATTEMPTS_PER_SITE: '10000',
    });
    siteA = await accreditedSite(service.url);
    siteB = await accreditedSite(service.url);
  });
  afterAll(() => scope.close());

  const redeem = async (siteId: string, codes: string[], key: string | null = randomUUID()) => {
    const call = request(service.url)
      .post('/redemptions')
      .set('Authorization', await bearer('site', siteId, `staff-${siteId.slice(0, 4)}`));
    return (key ? call.set('Idempotency-Key', key) : call).send({ codes });
  };
  const expectStatus = async (pending: Promise<request.Response>, status: number) => {
    const response = await pending;
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    return response;
  };
  const passStatus = async (passId: string) =>
    (await scope.sql<{ status: string }>('redemption', 'SELECT status FROM passes WHERE id = $1', [passId]))[0]?.status;

  describe('passes known from BookletIssued', () => {
    it('given a booklet issued twice (two event ids), then its passes are recorded once, issued, with their validity and territory', async () => {
      const issued = booklet({
        territory: ['31', '973'],
        validFrom: '2026-01-01',
        validUntil: '2026-12-31',
        toleranceDays: 31,
      });
      await issue(scope, service, issued);
      await produceEvent(service, BookletIssued, issued.payload);
      await waitFor(
        'the replay to be consumed',
        async () => (await scope.sql('redemption', 'SELECT 1 FROM inbox_records')).length >= 2,
      );

      const rows = await scope.sql(
        'redemption',
        `SELECT booklet_id, code_hash, amount_cents, territory, to_char(valid_until, 'YYYY-MM-DD') AS valid_until, tolerance_days, status
         FROM passes WHERE booklet_id = $1 ORDER BY id`,
        [issued.payload.bookletId],
      );
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        amount_cents: 1000,
        territory: ['31', '973'],
        valid_until: '2026-12-31',
        tolerance_days: 31,
        status: 'issued',
      });
      expect(await scope.sql('redemption', 'SELECT 1 FROM dead_letters')).toHaveLength(0);
    });

    it('given booklets fetched together (an order), then their passes become known at once; one clashing booklet among them is dead-lettered alone', async () => {
      const order = [booklet({ size: 3 }), booklet({ size: 3 }), booklet({ size: 3 })];
      const envelopes = order.map((issued) => envelopeOf(BookletIssued, issued.payload));
      const together = await metricValue(service.url, 'events_applied_together_total', { type: 'BookletIssued' });
      await publishTogether(service.env.KAFKA_TOPIC_PREFIX!, envelopes, 0);
      await waitFor(
        'the order to be applied',
        async () =>
          (
            await scope.sql('redemption', 'SELECT 1 FROM inbox_records WHERE event_id::text = ANY($1)', [
              envelopes.map((e) => e.eventId),
            ])
          ).length === 3,
      );
      expect(await metricValue(service.url, 'events_applied_together_total', { type: 'BookletIssued' })).toBe(
        together + 3,
      );
      expect(
        await scope.sql('redemption', 'SELECT 1 FROM passes WHERE booklet_id = ANY($1::uuid[])', [
          order.map((issued) => issued.payload.bookletId),
        ]),
      ).toHaveLength(9);

      const [before, clash, after] = [booklet({ size: 1 }), booklet({ size: 1 }), booklet({ size: 1 })];
      clash.payload.passes[0].codeHash = order[0].payload.passes[0].codeHash;
      const second = [before, clash, after].map((issued) => envelopeOf(BookletIssued, issued.payload));
      await publishTogether(service.env.KAFKA_TOPIC_PREFIX!, second, 0);
      await waitFor(
        'the clash to be dead-lettered',
        async () =>
          (await scope.sql('redemption', 'SELECT 1 FROM dead_letters WHERE event_id = $1', [second[1].eventId]))
            .length === 1,
      );
      await waitFor(
        'the others to be applied',
        async () =>
          (
            await scope.sql('redemption', 'SELECT 1 FROM inbox_records WHERE event_id::text = ANY($1)', [
              [second[0].eventId, second[2].eventId],
            ])
          ).length === 2,
      );
      expect(await passStatus(before.payload.passes[0].passId)).toBe('issued');
      expect(await passStatus(clash.payload.passes[0].passId)).toBeUndefined();
      expect(await passStatus(after.payload.passes[0].passId)).toBe('issued');
      await scope.sql('redemption', 'DELETE FROM dead_letters WHERE event_id = $1', [second[1].eventId]); // the next test counts its own
    });

    it('given a booklet reusing a known code hash for another pass, then the event is dead-lettered, not half applied', async () => {
      const first = booklet({ size: 1 });
      await issue(scope, service, first);
      const clash = booklet({ size: 1 });
      clash.payload.passes[0].codeHash = first.payload.passes[0].codeHash;

      await produceEvent(service, BookletIssued, clash.payload);

      await waitFor(
        'the dead letter',
        async () => (await scope.sql('redemption', 'SELECT error FROM dead_letters')).length === 1,
      );
      expect(await passStatus(clash.payload.passes[0].passId)).toBeUndefined();
    });
  });

  describe('a successful redemption', () => {
    it('given two issued passes, when the site redeems both, then one redemption, both redeemed, one VoucherRedeemed per pass keyed by booklet', async () => {
      const issued = booklet({ size: 2 });
      await issue(scope, service, issued);

      const response = await expectStatus(
        redeem(
          siteA,
          issued.codes.map((code) => code.toLowerCase().replace(/-/g, ' ')),
        ),
        201,
      );

      expect(response.body).toMatchObject({ siteId: siteA, totalCents: 2000 });
      expect(response.body.passes.map((p: { passId: string }) => p.passId).sort()).toEqual(
        issued.payload.passes.map((p) => p.passId).sort(),
      );
      for (const pass of issued.payload.passes) expect(await passStatus(pass.passId)).toBe('redeemed');
      const events = (await outbox(scope, 'VoucherRedeemed')).filter(
        (e) => e.payload.payload.redemptionId === response.body.redemptionId,
      );
      expect(events).toHaveLength(2);
      expect(events.every((e) => e.message_key === issued.payload.bookletId)).toBe(true);
      expect(events[0].payload.payload).toMatchObject({
        siteId: siteA,
        amountCents: 1000,
        programId: issued.payload.programId,
        redeemedBy: `staff-${siteA.slice(0, 4)}`,
      });
      expect(JSON.stringify(events)).not.toContain(issued.codes[0]);
    });
  });

  describe('idempotency', () => {
    it('given a redemption, when retried with the same key and codes, then the first answer again and no second redemption', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const key = randomUUID();

      const first = await expectStatus(redeem(siteA, issued.codes, key), 201);
      const retry = await expectStatus(redeem(siteA, issued.codes, key), 201);

      expect(retry.body).toEqual(first.body);
      const lines = await scope.sql('redemption', 'SELECT 1 FROM redemption_lines WHERE pass_id = $1', [
        issued.payload.passes[0].passId,
      ]);
      expect(lines).toHaveLength(1);
      const events = (await outbox(scope, 'VoucherRedeemed')).filter(
        (e) => e.payload.payload.passId === issued.payload.passes[0].passId,
      );
      expect(events).toHaveLength(1);
    });

    it('given ten simultaneous retries with one key, then ten identical answers and one redemption', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const key = randomUUID();

      const answers = await Promise.all(Array.from({ length: 10 }, () => redeem(siteA, issued.codes, key)));

      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
      expect(new Set(answers.map((a) => a.body.redemptionId)).size).toBe(1);
      expect(
        await scope.sql('redemption', 'SELECT 1 FROM redemption_lines WHERE pass_id = $1', [
          issued.payload.passes[0].passId,
        ]),
      ).toHaveLength(1);
    });

    it('given a redemption, when retried with its passes typed otherwise (case, spaces, dashes, order), then the first answer again', async () => {
      const issued = booklet({ size: 2 });
      await issue(scope, service, issued);
      const key = randomUUID();
      const first = await expectStatus(redeem(siteA, issued.codes, key), 201);
      const retyped = [...issued.codes]
        .reverse()
        .map((code, i) => (i === 0 ? code.toLowerCase() : ` ${code.replace(/-/g, '').replace(/(.{4})/g, '$1 ')} `));

      const retry = await expectStatus(redeem(siteA, retyped, key), 201);

      expect(retry.body).toEqual(first.body);
      const redemptions = await scope.sql(
        'redemption',
        'SELECT DISTINCT redemption_id FROM redemption_lines WHERE pass_id = ANY($1::uuid[])',
        [issued.payload.passes.map((pass) => pass.passId)],
      );
      expect(redemptions).toHaveLength(1);
    });

    it('given a redemption cancelled since, when retried with its key, then 409 REDEMPTION_CANCELLED saying when, and nothing redeemed', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const key = randomUUID();
      const first = await expectStatus(redeem(siteA, issued.codes, key), 201);
      const cancelled = await request(service.url)
        .post(`/redemptions/${first.body.redemptionId}/cancellation`)
        .set('Authorization', await bearer('site', siteA))
        .send({ reason: 'Erreur de saisie' })
        .expect(200);

      const retry = await expectStatus(redeem(siteA, issued.codes, key), 409);

      expect(retry.body).toMatchObject({
        code: 'REDEMPTION_CANCELLED',
        details: { redemptionId: first.body.redemptionId, cancelledAt: cancelled.body.cancelledAt },
      });
      expect(retry.body.message).toMatch(/^Cette validation a été annulée le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2} : /);
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('issued');
    });

    it('given a used key, when sent with other codes, then 409 IDEMPOTENCY_KEY_REUSED and nothing redeemed', async () => {
      const [one, two] = [booklet({ size: 1 }), booklet({ size: 1 })];
      await issue(scope, service, one, two);
      const key = randomUUID();
      await expectStatus(redeem(siteA, one.codes, key), 201);

      const response = await expectStatus(redeem(siteA, two.codes, key), 409);

      expect(response.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(response.body.message).toMatch(FRENCH);
      expect(await passStatus(two.payload.passes[0].passId)).toBe('issued');
    });

    it('given no Idempotency-Key header, then 400 IDEMPOTENCY_KEY_REQUIRED in French and nothing redeemed', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const response = await expectStatus(redeem(siteA, issued.codes, null), 400);
      expect(response.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      expect(response.body.message).toMatch(FRENCH);
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('issued');
    });

    it('given an Idempotency-Key over 200 characters, then 400 IDEMPOTENCY_KEY_REQUIRED', async () => {
      const response = await expectStatus(redeem(siteA, [generatePassCode()], 'k'.repeat(201)), 400);
      expect(response.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    });
  });

  describe('concurrency', () => {
    it('given two sites firing 50 simultaneous attempts each at one pass, then exactly one redemption and one VoucherRedeemed', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const passId = issued.payload.passes[0].passId;

      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => redeem(i % 2 === 0 ? siteA : siteB, issued.codes)),
      );

      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, ...Array(99).fill(409)]);
      expect(new Set(answers.filter((a) => a.status === 409).map((a) => a.body.code))).toEqual(
        new Set(['PASS_ALREADY_REDEEMED']),
      );
      expect(await scope.sql('redemption', 'SELECT 1 FROM redemption_lines WHERE pass_id = $1', [passId])).toHaveLength(
        1,
      );
      expect((await outbox(scope, 'VoucherRedeemed')).filter((e) => e.payload.payload.passId === passId)).toHaveLength(
        1,
      );
    });

    it('given a live redemption line, when a second one is written for the pass behind the service, then the database refuses it', async () => {
      const [line] = await scope.sql<{ pass_id: string; redemption_id: string }>(
        'redemption',
        'SELECT pass_id, redemption_id FROM redemption_lines WHERE cancelled_at IS NULL LIMIT 1',
      );
      const other = randomUUID();
      await scope.sql(
        'redemption',
        `INSERT INTO redemptions (id, site_id, redeemed_by, total_cents) VALUES ($1, $2, 'x', 1000)`,
        [other, siteB],
      );

      await expect(
        scope.sql(
          'redemption',
          'INSERT INTO redemption_lines (redemption_id, pass_id, amount_cents) VALUES ($1, $2, 1000)',
          [other, line.pass_id],
        ),
      ).rejects.toThrow(/redemption_lines_one_live_per_pass/);
    });
  });

  describe('refusals, each with its code and French message', () => {
    it('given a code of the wrong length, then 422 CODE_INVALID asking to check the input', async () => {
      const response = await expectStatus(redeem(siteA, ['K7QM-3XTA']), 422);
      expect(response.body).toMatchObject({
        code: 'CODE_INVALID',
        details: { codes: [{ position: 0, code: 'CODE_INVALID' }] },
      });
      expect(response.body.message).toContain('vérifiez la saisie');
    });

    it('given a code with one wrong symbol, then 422 CODE_INVALID about a typo', async () => {
      const code = generatePassCode();
      const typo = (code[0] === '7' ? '8' : '7') + code.slice(1);
      const response = await expectStatus(redeem(siteA, [typo]), 422);
      expect(response.body.code).toBe('CODE_INVALID');
      expect(response.body.message).toContain('erreur de frappe');
    });

    it('given the token of a site that is not registered, then 403 SITE_NOT_FOUND and nothing stored, as for a check', async () => {
      const unregistered = randomUUID();
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);

      const response = await expectStatus(redeem(unregistered, issued.codes), 403);
      const checked = await request(service.url)
        .post('/passes/check')
        .set('Authorization', await bearer('site', unregistered))
        .send({ code: issued.codes[0] })
        .expect(403);

      expect(response.body).toMatchObject({ code: 'SITE_NOT_FOUND', message: checked.body.message });
      expect(checked.body.code).toBe('SITE_NOT_FOUND');
      expect(response.body.message).toMatch(FRENCH);
      expect(
        await scope.sql('redemption', 'SELECT 1 FROM redemption_requests WHERE site_id = $1', [unregistered]),
      ).toHaveLength(0);
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('issued');
    });

    it('given a well-formed code never issued, then 422 PASS_UNKNOWN', async () => {
      const response = await expectStatus(redeem(siteA, [generatePassCode()]), 422);
      expect(response.body.code).toBe('PASS_UNKNOWN');
      expect(response.body.message).toMatch(FRENCH);
    });

    it('given a pass redeemed at this site, then 409 PASS_ALREADY_REDEEMED saying when and here; at another site, saying elsewhere', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      await expectStatus(redeem(siteA, issued.codes), 201);

      const here = await expectStatus(redeem(siteA, issued.codes), 409);
      const elsewhere = await expectStatus(redeem(siteB, issued.codes), 409);

      expect(here.body.code).toBe('PASS_ALREADY_REDEEMED');
      expect(here.body.message).toMatch(
        /^Ce pass a déjà été utilisé le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}, dans votre lieu\.$/,
      );
      expect(elsewhere.body.message).toContain('dans un autre lieu');
    });

    it('given a voided pass, then 422 PASS_VOIDED', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const pass = issued.payload.passes[0];
      await produceEvent(service, VoucherVoidRequested, {
        requestId: randomUUID(),
        passId: pass.passId,
        bookletId: issued.payload.bookletId,
        programId: issued.payload.programId,
        agencyId: issued.payload.agencyId,
        reason: 'lost',
        requestedBy: 'counselor-1',
      });
      await waitFor('the void', async () => (await passStatus(pass.passId)) === 'voided');

      const response = await expectStatus(redeem(siteA, issued.codes), 422);
      expect(response.body.code).toBe('PASS_VOIDED');
    });

    it('given a pass past its validity and tolerance (not yet swept by the expiry job), then 422 PASS_EXPIRED naming the last day', async () => {
      const issued = booklet({ size: 1, validFrom: '2020-01-01', validUntil: '2020-12-31', toleranceDays: 31 });
      await issue(scope, service, issued);

      const response = await expectStatus(redeem(siteA, issued.codes), 422);
      expect(response.body).toMatchObject({
        code: 'PASS_EXPIRED',
        message: "Ce pass a expiré : il était utilisable jusqu'au 31/01/2021 inclus.",
      });
    });

    it('given a pass valid from a later day, then 422 PASS_NOT_YET_VALID', async () => {
      const issued = booklet({ size: 1, validFrom: '2098-01-01', validUntil: '2098-12-31' });
      await issue(scope, service, issued);

      const response = await expectStatus(redeem(siteA, issued.codes), 422);
      expect(response.body).toMatchObject({
        code: 'PASS_NOT_YET_VALID',
        message: "Ce pass n'est utilisable qu'à partir du 01/01/2098.",
      });
    });

    it('given a pass of another territory, then 422 SITE_OUTSIDE_TERRITORY with no detail', async () => {
      const issued = booklet({ size: 1, territory: ['974'] });
      await issue(scope, service, issued);

      const response = await expectStatus(redeem(siteA, issued.codes), 422);
      expect(response.body).toMatchObject({
        code: 'SITE_OUTSIDE_TERRITORY',
        message: "Ce pass n'est pas utilisable ici.",
      });
    });

    it.each([
      [
        'pending',
        'SITE_NOT_ACCREDITED',
        async () =>
          (
            await request(service.url)
              .post('/sites')
              .set('Authorization', await bearer('operator'))
              .send(siteBody())
              .expect(201)
          ).body.id,
      ],
      ['suspended', 'SITE_SUSPENDED', async () => changed(await accreditedSite(service.url), 'suspension')],
      ['revoked', 'SITE_REVOKED', async () => changed(await accreditedSite(service.url), 'revocation')],
      [
        'past its accreditation end',
        'SITE_ACCREDITATION_LAPSED',
        async () => {
          const id = await accreditedSite(service.url);
          await scope.sql('redemption', `UPDATE sites SET accredited_until = '2020-06-30' WHERE id = $1`, [id]);
          return id;
        },
      ],
    ] as Array<[string, string, () => Promise<string>]>)(
      'given a site %s, then 403 %s and the pass stays issued',
      async (_state, code, makeSite) => {
        const issued = booklet({ size: 1 });
        await issue(scope, service, issued);
        const siteId = await makeSite();

        const response = await expectStatus(redeem(siteId, issued.codes), 403);

        expect(response.body.code).toBe(code);
        expect(response.body.message).toMatch(FRENCH);
        expect(await passStatus(issued.payload.passes[0].passId)).toBe('issued');
      },
    );

    it('given one usable and one unknown code, then nothing is redeemed (all or nothing) and the refusal names the position', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);

      const response = await expectStatus(redeem(siteA, [issued.codes[0], generatePassCode()]), 422);

      expect(response.body.details.codes).toEqual([{ position: 1, code: 'PASS_UNKNOWN', message: expect.any(String) }]);
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('issued');
    });

    it('given the same code twice in one request, then 422 CODES_DUPLICATED', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const response = await expectStatus(redeem(siteA, [issued.codes[0], issued.codes[0]]), 422);
      expect(response.body.code).toBe('CODES_DUPLICATED');
    });

    it('given an operator or a counselor, when redeeming, then 403 AUTH_ROLE_FORBIDDEN', async () => {
      for (const token of [await bearer('operator'), await bearer('counselor', randomUUID())]) {
        const response = await request(service.url)
          .post('/redemptions')
          .set('Authorization', token)
          .set('Idempotency-Key', 'k')
          .send({ codes: [generatePassCode()] });
        expect(response.body.code).toBe('AUTH_ROLE_FORBIDDEN');
      }
    });

    it('counts refusals by reason in Prometheus', async () => {
      const metrics = await request(service.url).get('/metrics').expect(200);
      expect(metrics.text).toMatch(
        /redemption_refusals_total\{reason="PASS_ALREADY_REDEEMED",operation="redeem"[^}]*\} \d+/,
      );
      expect(metrics.text).toMatch(/redemption_refusals_total\{reason="SITE_SUSPENDED",operation="redeem"[^}]*\} 1/);
    });
  });

  describe('checking a pass before redeeming', () => {
    const check = async (siteId: string, code: string) =>
      request(service.url)
        .post('/passes/check')
        .set('Authorization', await bearer('site', siteId))
        .send({ code })
        .expect(200);

    it('given an issued pass, then usable with its amount and last day, and it stays issued', async () => {
      const issued = booklet({ size: 1, validUntil: '2099-01-31', toleranceDays: 0 });
      await issue(scope, service, issued);

      expect((await check(siteA, issued.codes[0])).body).toEqual({
        usable: true,
        amountCents: 1000,
        usableUntil: '2099-01-31',
      });
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('issued');
    });

    it('given a pass of another territory, even redeemed, then only "not usable here"', async () => {
      const issued = booklet({ size: 1, territory: ['974'] });
      await issue(scope, service, issued);
      await scope.sql('redemption', `UPDATE passes SET status = 'voided' WHERE id = $1`, [
        issued.payload.passes[0].passId,
      ]);

      expect((await check(siteA, issued.codes[0])).body).toEqual({
        usable: false,
        code: 'SITE_OUTSIDE_TERRITORY',
        message: "Ce pass n'est pas utilisable ici.",
      });
    });

    it('given a redeemed pass, then the refusal reason', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      await expectStatus(redeem(siteB, issued.codes), 201);

      expect((await check(siteA, issued.codes[0])).body).toMatchObject({
        usable: false,
        code: 'PASS_ALREADY_REDEEMED',
      });
    });
  });

  describe("the site's own history", () => {
    it("lists its redemptions of the last 24 hours, newest first, with what it may still cancel; never another site's", async () => {
      const [mine, theirs] = [await accreditedSite(service.url), await accreditedSite(service.url)];
      const issued = booklet({ size: 4 });
      await issue(scope, service, issued);
      const first = (await expectStatus(redeem(mine, issued.codes.slice(0, 2)), 201)).body;
      const cancelledOne = (await expectStatus(redeem(mine, [issued.codes[2]]), 201)).body;
      await expectStatus(redeem(theirs, [issued.codes[3]]), 201);
      await request(service.url)
        .post(`/redemptions/${cancelledOne.redemptionId}/cancellation`)
        .set('Authorization', await bearer('site', mine))
        .send({ reason: 'Erreur de saisie' })
        .expect(200);
      const history = async (siteId: string, query = '', status = 200) =>
        (
          await request(service.url)
            .get(`/redemptions${query}`)
            .set('Authorization', await bearer('site', siteId))
            .expect(status)
        ).body;

      const page = await history(mine);
      expect(page).toMatchObject({ total: 2, page: 1, pageSize: 50 });
      expect(page.items).toEqual([
        {
          redemptionId: cancelledOne.redemptionId,
          redeemedAt: cancelledOne.redeemedAt,
          totalCents: 1000,
          passCount: 1,
          cancelledAt: expect.any(String),
          cancellableUntil: null,
        },
        {
          redemptionId: first.redemptionId,
          redeemedAt: first.redeemedAt,
          totalCents: 2000,
          passCount: 2,
          cancelledAt: null,
          cancellableUntil: new Date(Date.parse(first.redeemedAt) + 24 * 3600_000).toISOString(),
        },
      ]);
      expect((await history(theirs)).items).toHaveLength(1);
      expect(
        (await history(mine, '?pageSize=1&page=2')).items.map((r: { redemptionId: string }) => r.redemptionId),
      ).toEqual([first.redemptionId]);

      // Older than 24 hours: out of the default period, in an explicit one, and no longer cancellable.
      await scope.sql('redemption', `UPDATE redemptions SET redeemed_at = now() - interval '30 hours' WHERE id = $1`, [
        first.redemptionId,
      ]);
      expect((await history(mine)).items.map((r: { redemptionId: string }) => r.redemptionId)).toEqual([
        cancelledOne.redemptionId,
      ]);
      const week = await history(mine, `?from=${new Date(Date.now() - 7 * 24 * 3600_000).toISOString()}`);
      expect(week.items.find((r: { redemptionId: string }) => r.redemptionId === first.redemptionId)).toMatchObject({
        cancelledAt: null,
        cancellableUntil: null,
      });

      expect(await history(mine, '?from=yesterday', 400)).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ field: 'from' })],
      });
      expect(
        (
          await history(
            mine,
            `?from=${new Date().toISOString()}&to=${new Date(Date.now() - 3600_000).toISOString()}`,
            400,
          )
        ).code,
      ).toBe('HISTORY_RANGE_INVALID');
      await history(mine, '?pageSize=501', 400);
    });
  });

  describe('cancellation by the site within 24 hours', () => {
    it('given a redemption of two passes, when the site cancels it, then RedemptionCancelled per pass and the passes can be redeemed again', async () => {
      const issued = booklet({ size: 2 });
      await issue(scope, service, issued);
      const redemption = await expectStatus(redeem(siteA, issued.codes), 201);
      const cancel = async (siteId: string) =>
        request(service.url)
          .post(`/redemptions/${redemption.body.redemptionId}/cancellation`)
          .set('Authorization', await bearer('site', siteId, 'staff-cancel'))
          .send({ reason: 'Scanné par erreur' });

      expect((await cancel(siteB)).status).toBe(404);
      const cancelled = await cancel(siteA);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.passIds.sort()).toEqual(issued.payload.passes.map((p) => p.passId).sort());
      expect((await cancel(siteA)).body.code).toBe('REDEMPTION_ALREADY_CANCELLED');

      const events = (await outbox(scope, 'RedemptionCancelled')).filter(
        (e) => e.payload.payload.redemptionId === redemption.body.redemptionId,
      );
      expect(events.map((e) => e.payload.payload)).toEqual([
        expect.objectContaining({
          siteId: siteA,
          amountCents: 1000,
          reason: 'Scanné par erreur',
          cancelledBy: 'staff-cancel',
          bookletId: issued.payload.bookletId,
        }),
        expect.objectContaining({ siteId: siteA, amountCents: 1000 }),
      ]);
      for (const pass of issued.payload.passes) expect(await passStatus(pass.passId)).toBe('issued');
      await expectStatus(redeem(siteB, issued.codes), 201);
    });

    it('given a redemption older than 24 hours, then 409 REDEMPTION_CANCELLATION_TOO_LATE', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      const redemption = await expectStatus(redeem(siteA, issued.codes), 201);
      await scope.sql('redemption', `UPDATE redemptions SET redeemed_at = now() - interval '25 hours' WHERE id = $1`, [
        redemption.body.redemptionId,
      ]);

      const response = await request(service.url)
        .post(`/redemptions/${redemption.body.redemptionId}/cancellation`)
        .set('Authorization', await bearer('site', siteA))
        .send({ reason: 'Trop tard' })
        .expect(409);

      expect(response.body.code).toBe('REDEMPTION_CANCELLATION_TOO_LATE');
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('redeemed');
    });
  });

  async function changed(siteId: string, step: 'suspension' | 'revocation'): Promise<string> {
    await request(service.url)
      .post(`/sites/${siteId}/${step}`)
      .set('Authorization', await bearer('operator'))
      .send({ reason: 'Contrôle' })
      .expect(200);
    return siteId;
  }
});
