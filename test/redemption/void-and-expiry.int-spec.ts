import { randomUUID } from 'node:crypto';
import { CronExpression, SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { VoucherVoidRequested } from '@app/contracts';
import { RunningService, TestScope, waitFor } from '@app/testing';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { accreditedSite, bearer, booklet, issue, IssuedBooklet, outbox, produceEvent } from './redemption-fixtures';

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

  const passStatus = async (passId: string) => (await scope.sql<{ status: string }>('redemption', 'SELECT status FROM passes WHERE id = $1', [passId]))[0]?.status;

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

      expect(await requestVoid(issued)).toMatchObject({ type: 'VoucherVoided', passId: issued.payload.passes[0].passId, amountCents: 1000, agencyId: issued.payload.agencyId });
      expect(await passStatus(issued.payload.passes[0].passId)).toBe('voided');
      expect(await requestVoid(issued)).toMatchObject({ type: 'VoucherVoidRejected', reason: 'already_voided' });
    });

    it('given a redeemed pass, then VoucherVoidRejected already_redeemed and it stays redeemed', async () => {
      const issued = booklet({ size: 1 });
      await issue(scope, service, issued);
      await request(service.url).post('/redemptions').set('Authorization', await bearer('site', siteId)).set('Idempotency-Key', randomUUID()).send({ codes: issued.codes }).expect(201);

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

      expect(await requestVoid(issued, randomUUID())).toMatchObject({ type: 'VoucherVoidRejected', reason: 'unknown_pass', bookletId: issued.payload.bookletId });
      expect(await scope.sql('redemption', 'SELECT 1 FROM dead_letters')).toHaveLength(0);
    });
  });

  describe('expiry', () => {
    it('given passes past validity + tolerance, when the expiry runs twice, then each is expired once with one VoucherExpired, in batches, and others untouched', async () => {
      const due = booklet({ size: 7, validFrom: '2020-01-01', validUntil: '2020-12-31', toleranceDays: 31 });
      const notYet = booklet({ size: 2, validUntil: '2099-12-31' });
      await issue(scope, service, due, notYet);
      const operator = await bearer('operator');
      const alreadyDue = await scope.sql<{ id: string }>('redemption', `SELECT id FROM passes WHERE status = 'issued' AND valid_until + tolerance_days < current_date`);

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

    it('registers the expiry as an hourly job', () => {
      const job = service.app.get(SchedulerRegistry).getCronJob('pass-expiry');
      expect(String(job.cronTime.source)).toBe(CronExpression.EVERY_HOUR);
    });

    it('given a site token, when it asks for an expiry run, then 403', async () => {
      await request(service.url).post('/expiry-runs').set('Authorization', await bearer('site', siteId)).expect(403);
    });
  });
});
