import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { generatePassCode } from '@app/pass-codes';
import type { RunningService } from '@app/testing';
import { TestScope } from '@app/testing';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { accreditedSite, bearer, booklet, FRENCH, issue } from './redemption-fixtures';

// Code guessing: invalid or unknown codes are counted in the database, so two instances share one count.
describe('failed attempts limit', () => {
  const scope = new TestScope('rdguess');
  const settings = { REDEMPTION_MAX_FAILED_ATTEMPTS: '3', REDEMPTION_FAILED_ATTEMPTS_WINDOW_SECONDS: '600' };
  let first: RunningService;
  let second: RunningService;
  let siteId: string;

  beforeAll(async () => {
    first = await scope.start(redemptionService, settings);
    second = await scope.start(redemptionService, { ...settings, OUTBOX_RELAY_ENABLED: 'false' });
    siteId = await accreditedSite(first.url);
  });
  afterAll(() => scope.close());

  const redeem = async (url: string, codes: string[]) =>
    request(url)
      .post('/redemptions')
      .set('Authorization', await bearer('site', siteId))
      .set('Idempotency-Key', randomUUID())
      .send({ codes });

  it('given three failed attempts spread over two instances, when the site tries again, even a good code, then 429 saying when to retry', async () => {
    const issued = booklet({ size: 1 });
    await issue(scope, first, issued);

    expect((await redeem(first.url, ['NOT-A-CODE'])).body.code).toBe('CODE_INVALID');
    expect((await redeem(second.url, [generatePassCode()])).body.code).toBe('PASS_UNKNOWN');
    const check = await request(first.url)
      .post('/passes/check')
      .set('Authorization', await bearer('site', siteId))
      .send({ code: generatePassCode() })
      .expect(200);
    expect(check.body.code).toBe('PASS_UNKNOWN');

    const blocked = await redeem(second.url, issued.codes);

    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 'TOO_MANY_FAILED_ATTEMPTS', details: { retryAt: expect.any(String) } });
    expect(blocked.body.message).toMatch(
      /^Trop de codes erronés ont été saisis : réessayez à partir de \d{2}:\d{2} \(heure de Paris\)\.$/,
    );
    expect(blocked.body.message).toMatch(FRENCH);
    const retryAt = new Date(blocked.body.details.retryAt).getTime();
    expect(retryAt).toBeGreaterThan(Date.now() + 590_000);
    expect(retryAt).toBeLessThan(Date.now() + 601_000);
  });

  it('given the block, when the operator looks at the site, then the failed attempts are counted', async () => {
    const response = await request(first.url)
      .get(`/sites/${siteId}/failed-attempts`)
      .set('Authorization', await bearer('operator'))
      .expect(200);

    expect(response.body).toMatchObject({ siteId, inWindow: 3, total: 3, limit: 3, windowSeconds: 600 });
    await request(first.url)
      .get(`/sites/${siteId}/failed-attempts`)
      .set('Authorization', await bearer('site', siteId))
      .expect(403);
  });

  it('given the failures slid out of the window, then the site may redeem again', async () => {
    const issued = booklet({ size: 1 });
    await issue(scope, first, issued);
    await scope.sql('redemption', `UPDATE failed_attempts SET attempted_at = attempted_at - interval '11 minutes'`);

    expect((await redeem(first.url, issued.codes)).status).toBe(201);
  });

  it('counts the blocks in the refusal metric', async () => {
    const metrics = await request(second.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /redemption_refusals_total\{reason="TOO_MANY_FAILED_ATTEMPTS",operation="redeem"[^}]*\} 1/,
    );
  });
});
