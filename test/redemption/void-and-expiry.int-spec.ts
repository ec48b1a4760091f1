import { randomUUID } from 'node:crypto';
import { CronExpression, SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { Client } from 'pg';
import { addDays, parisDay } from '@app/calendar';
import { checkEvent, VoucherExpired, VoucherVoidRequested } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { EventPublisher } from '@app/messaging';
import type { RunningService } from '@app/testing';
import { TestScope, waitFor } from '@app/testing';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import type { IssuedBooklet } from './redemption-fixtures';
import { accreditedSite, bearer, booklet, issue, outbox, produceEvent } from './redemption-fixtures';

describe('void requests and expiry', () => {
  const scope = new TestScope('rdvoid');
  let service: RunningService;
  let siteId: string;

  beforeAll(async () => {
    // The hourly job is off so that only the runs this spec asks for expire passes.
    service = await scope.start(redemptionService, { EXPIRY_BATCH_SIZE: '3', EXPIRY_JOB_ENABLED: 'false' });
    siteId = await accreditedSite(service.url);
  });
  afterAll(() => scope.close());

  const passStatus = async (passId: string) =>
    (await scope.sql<{ status: string }>('redemption', 'SELECT status FROM passes WHERE id = $1', [passId]))[0]?.status;

  describe('answering VoucherVoidRequested', () => {
    const requestVoid = async (issued: IssuedBooklet, passId = issued.payload.passes[0].passId) => {
      const requestId = randomUUID();
      await produceEvent(service, VoucherVoidRequested, {
        requestId,
        passId,
        bookletId: issued.payload.bookletId,
        programId: issued.payload.programId,
        agencyId: issued.payload.agencyId,
        reason: 'stolen',
        requestedBy: 'counselor-1',
      });
      return waitFor('the answer to the void request', async () => {
        const rows = await scope.sql<{ event_type: string; payload: { payload: Record<string, unknown> } }>(
          'redemption',
          `SELECT event_type, payload FROM outbox_messages WHERE event_type IN ('VoucherVoided', 'VoucherVoidRejected') AND payload->'payload'->>'requestId' = $1`,
          [requestId],
        );
        return rows.length === 1 ? { type: rows[0].event_type, ...rows[0].payload.payload } : undefined;
      });
    };

    it('given an issued pass, then VoucherVoided and the pass is voided; asked again, then VoucherVoidRejected already_voided', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);

      expect(await requestVoid(issued)).toMatchObject({
        type: 'VoucherVoided',
        passId: issued.payload.passes[0].passId,
        amountCents: 1000,
        agencyId: issued.payload.agencyId,
      });
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('voided');
      expect(await requestVoid(issued)).toMatchObject({ type: 'VoucherVoidRejected', reason: 'already_voided' });
    });

    it('given a redeemed pass, then VoucherVoidRejected already_redeemed and it stays redeemed', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      await request(service.url)
        .post('/redemptions')
        .set('Authorization', await bearer('site', siteId))
        .set('Idempotency-Key', randomUUID())
        .send({ codes: issued.codes })
        .expect(201);

      expect(await requestVoid(issued)).toMatchObject({ type: 'VoucherVoidRejected', reason: 'already_redeemed' });
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('redeemed');
    });

    it('given a pass past its last usable day, then VoucherVoidRejected expired', async () => {
      const issued = booklet({ size: 1, validFrom: '2019-01-01', validUntil: '2019-12-31', toleranceDays: 0 });
      await issue(scope, service, issued);

      expect(await requestVoid(issued)).toMatchObject({ type: 'VoucherVoidRejected', reason: 'expired' });
    });

    it('given an unknown pass, then VoucherVoidRejected unknown_pass (an answer, not a dead letter)', async () => {
      const issued = booklet({ size: 1 });

      expect(await requestVoid(issued, randomUUID())).toMatchObject({
        type: 'VoucherVoidRejected',
        reason: 'unknown_pass',
        bookletId: issued.payload.bookletId,
      });
      expect(await scope.sql('redemption', 'SELECT 1 FROM dead_letters')).toHaveLength(0);
    });
  });

  describe('expiry', () => {
    it('given passes past validity + tolerance, when the expiry runs twice, then each is expired once with one VoucherExpired, in batches, and others untouched', async () => {
      const due = booklet({ size: 7, validFrom: '2020-01-01', validUntil: '2020-12-31', toleranceDays: 31 });
      const notYet = booklet({ size: 2, validUntil: '2099-12-31' });
      await issue(scope, service, due, notYet);
      const operator = await bearer('operator');
      const alreadyDue = await scope.sql<{ id: string }>(
        'redemption',
        `SELECT id FROM passes WHERE status = 'issued' AND valid_until + tolerance_days < current_date`,
      );

      const first = await request(service.url).post('/expiry-runs').set('Authorization', operator).expect(201);
      const second = await request(service.url).post('/expiry-runs').set('Authorization', operator).expect(201);

      expect(first.body).toMatchObject({ expired: alreadyDue.length, batches: Math.ceil(alreadyDue.length / 3) });
      expect(alreadyDue.length).toBeGreaterThanOrEqual(7);
      expect(second.body).toMatchObject({ expired: 0, batches: 0 });
      for (const pass of due.payload.passes) expect(await passStatus(pass.passId)).toBe('expired');
      for (const pass of notYet.payload.passes) expect(await passStatus(pass.passId)).toBe('issued');
      const events = await outbox(scope, 'VoucherExpired');
      expect(events).toHaveLength(alreadyDue.length);
      const mine = events.filter((e) => e.message_key === due.payload.bookletId).map((e) => e.payload.payload);
      expect(mine.map((p) => p.passId).sort()).toEqual(due.payload.passes.map((p) => p.passId).sort());
      expect(mine[0]).toMatchObject({ programId: due.payload.programId, amountCents: 1000 });
    });

    it('given a pass locked by a redemption in progress, when the expiry runs, then that pass is skipped and kept issued, and the next run expires it', async () => {
      const due = booklet({ size: 4, validFrom: '2020-01-01', validUntil: '2020-12-31', toleranceDays: 0 });
      await issue(scope, service, due);
      const [held, ...others] = due.payload.passes.map((pass) => pass.passId);
      const operator = await bearer('operator');
      const redemption = new Client({ connectionString: service.env.DATABASE_URL });
      await redemption.connect();
      try {
        await redemption.query('BEGIN');
        await redemption.query('SELECT id FROM passes WHERE id = $1 FOR UPDATE', [held]);

        await request(service.url).post('/expiry-runs').set('Authorization', operator).expect(201);

        expect(await passStatus(held)).toBe('issued');
        for (const passId of others) expect(await passStatus(passId)).toBe('expired');
        await redemption.query('ROLLBACK');
      } finally {
        await redemption.end();
      }
      const expiredOf = async () =>
        (await outbox(scope, 'VoucherExpired'))
          .filter((e) => e.message_key === due.payload.bookletId)
          .map((e) => e.payload.payload.passId);
      expect((await expiredOf()).sort()).toEqual([...others].sort());

      await request(service.url).post('/expiry-runs').set('Authorization', operator).expect(201);

      expect(await passStatus(held)).toBe('expired');
      expect(await expiredOf()).toHaveLength(4);
    });

    it('given passes whose last usable Paris day is today or yesterday, when the expiry runs, then only the ones of yesterday expire', async () => {
      const today = parisDay(new Date());
      const lastDayToday = booklet({
        size: 1,
        validFrom: addDays(today, -60),
        validUntil: addDays(today, -31),
        toleranceDays: 31,
      });
      const lastDayYesterday = booklet({
        size: 1,
        validFrom: addDays(today, -60),
        validUntil: addDays(today, -1),
        toleranceDays: 0,
      });
      await issue(scope, service, lastDayToday, lastDayYesterday);

      await request(service.url)
        .post('/expiry-runs')
        .set('Authorization', await bearer('operator'))
        .expect(201);

      expect(await passStatus(lastDayToday.payload.passes[0].passId)).toBe('issued');
      expect(await passStatus(lastDayYesterday.payload.passes[0].passId)).toBe('expired');
    });

    it('writes each VoucherExpired as a valid envelope whose headers name it, and the relay publishes them', async () => {
      const due = booklet({ size: 5, validFrom: '2020-01-01', validUntil: '2020-12-31', toleranceDays: 0 });
      await issue(scope, service, due);

      await request(service.url)
        .post('/expiry-runs')
        .set('Authorization', await bearer('operator'))
        .expect(201);

      const rows = await scope.sql<{
        id: string;
        topic: string;
        message_key: string;
        payload: Record<string, unknown>;
        headers: Record<string, string>;
        published_at: Date | null;
      }>(
        'redemption',
        `SELECT id, topic, message_key, payload, headers, published_at FROM outbox_messages
          WHERE event_type = 'VoucherExpired' AND message_key = $1 ORDER BY id`,
        [due.payload.bookletId],
      );
      expect(rows.map((row) => (row.payload.payload as { passId: string }).passId).sort()).toEqual(
        due.payload.passes.map((p) => p.passId).sort(),
      );
      for (const row of rows) {
        const check = checkEvent(row.payload);
        expect(check.valid ? check.envelope.type : check.reason).toBe('VoucherExpired');
        expect(row.topic).toMatch(/redemption/);
        expect(row.headers).toMatchObject({
          'event-id': row.payload.eventId,
          'event-type': 'VoucherExpired',
          'schema-version': '1',
        });
      }
      // The relay publishes them after commit (the service's own relay is on here).
      await waitFor(
        'the relay to publish the expiries',
        async () =>
          (
            await scope.sql(
              'redemption',
              `SELECT 1 FROM outbox_messages WHERE message_key = $1 AND published_at IS NULL`,
              [due.payload.bookletId],
            )
          ).length === 0,
      );
    });

    it('given a bulk of expiries larger than one INSERT, when published together, then the outbox ids follow their order (the order the relay publishes in)', async () => {
      const bookletId = randomUUID();
      const payloads = Array.from({ length: 10_005 }, () => ({
        passId: randomUUID(),
        bookletId,
        programId: randomUUID(),
        agencyId: randomUUID(),
        amountCents: 1000,
        expiredAt: new Date().toISOString(),
      }));
      const tx = service.app.get(TransactionHost);

      await tx.run(() => service.app.get(EventPublisher).publishAll(VoucherExpired, payloads));

      const rows = await scope.sql<{ pass_id: string }>(
        'redemption',
        `SELECT payload->'payload'->>'passId' AS pass_id FROM outbox_messages WHERE message_key = $1 ORDER BY id`,
        [bookletId],
      );
      expect(rows.map((row) => row.pass_id)).toEqual(payloads.map((p) => p.passId));
    });

    it('given one invalid expiry in a bulk, when published, then nothing of the bulk is written', async () => {
      const bookletId = randomUUID();
      const payload = (amountCents: number) => ({
        passId: randomUUID(),
        bookletId,
        programId: randomUUID(),
        agencyId: randomUUID(),
        amountCents,
        expiredAt: new Date().toISOString(),
      });
      const tx = service.app.get(TransactionHost);

      await expect(
        tx.run(() =>
          service.app.get(EventPublisher).publishAll(VoucherExpired, [payload(1000), payload(0), payload(1000)]),
        ),
      ).rejects.toThrow(/Refusing to publish an invalid VoucherExpired: amountCents/);
      expect(
        await scope.sql('redemption', 'SELECT 1 FROM outbox_messages WHERE message_key = $1', [bookletId]),
      ).toHaveLength(0);
    });

    it('registers the expiry as an hourly job', () => {
      const job = service.app.get(SchedulerRegistry).getCronJob('pass-expiry');
      expect(String(job.cronTime.source)).toBe(CronExpression.EVERY_HOUR);
    });

    it('given a site token, when it asks for an expiry run, then 403', async () => {
      await request(service.url)
        .post('/expiry-runs')
        .set('Authorization', await bearer('site', siteId))
        .expect(403);
    });
  });
});
