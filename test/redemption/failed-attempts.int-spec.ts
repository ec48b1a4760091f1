import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { generatePassCode } from '@app/pass-codes';
import type { RunningService } from '@app/testing';
import { TestScope, testKeyPair } from '@app/testing';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { createWebApp } from '../../services/web/src/web.app';
import { accreditedSite, bearer, booklet, FRENCH, issue } from './redemption-fixtures';

type Told = { position?: number; code: string; message: string };

/** What the service told of each typed code: every per-code refusal, or the one code of a check. */
function toldCodes(responses: request.Response[]): Told[] {
  return responses.flatMap(
    (response) =>
      response.body.details?.codes ?? (response.status !== 429 && response.body.code ? [response.body] : []),
  );
}

/** The typed codes the service said were wrong: the guesses it evaluated. */
const toldWrong = (responses: request.Response[]) =>
  toldCodes(responses).filter((told) => told.code === 'CODE_INVALID' || told.code === 'PASS_UNKNOWN');

// Code guessing: invalid or unknown codes are counted in the database, so two instances share one count.
describe('failed attempts limit', () => {
  const scope = new TestScope('rdguess');
  // 3 per site and client address, 5 per site whatever the address.
  const settings = {
    REDEMPTION_MAX_FAILED_ATTEMPTS: '3',
    REDEMPTION_MAX_FAILED_ATTEMPTS_PER_SITE: '5',
    REDEMPTION_FAILED_ATTEMPTS_WINDOW_SECONDS: '600',
  };
  let first: RunningService;
  let second: RunningService;
  /** An instance behind the web front: it trusts X-Forwarded-For from loopback. */
  let behindProxy: RunningService;
  let siteId: string;

  beforeAll(async () => {
    first = await scope.start(redemptionService, settings);
    second = await scope.start(redemptionService, { ...settings, OUTBOX_RELAY_ENABLED: 'false' });
    behindProxy = await scope.start(redemptionService, {
      ...settings,
      OUTBOX_RELAY_ENABLED: 'false',
      TRUSTED_PROXIES: 'loopback',
    });
    siteId = await accreditedSite(first.url);
  });
  afterAll(() => scope.close());

  const redeem = async (url: string, codes: string[], site = siteId, forwardedFor?: string) => {
    const call = request(url)
      .post('/redemptions')
      .set('Authorization', await bearer('site', site))
      .set('Idempotency-Key', randomUUID());
    return (forwardedFor ? call.set('X-Forwarded-For', forwardedFor) : call).send({ codes });
  };
  const check = async (url: string, code: string, site = siteId, forwardedFor?: string) => {
    const call = request(url)
      .post('/passes/check')
      .set('Authorization', await bearer('site', site));
    return (forwardedFor ? call.set('X-Forwarded-For', forwardedFor) : call).send({ code });
  };
  const recorded = (site: string) =>
    scope.sql<{ client_address: string; reason: string }>(
      'redemption',
      'SELECT client_address, reason FROM failed_attempts WHERE site_id = $1 ORDER BY id',
      [site],
    );
  const unknownCodes = (count: number) => Array.from({ length: count }, () => generatePassCode());

  it('given three failed attempts spread over two instances, when the site tries again, even a good code, then 429 saying when to retry', async () => {
    const issued = booklet({ size: 1 });
    await issue(scope, first, issued);

    expect((await redeem(first.url, ['NOT-A-CODE'])).body.code).toBe('CODE_INVALID');
    expect((await redeem(second.url, [generatePassCode()])).body.code).toBe('PASS_UNKNOWN');
    const checked = await check(first.url, generatePassCode());
    expect([checked.status, checked.body.code]).toEqual([200, 'PASS_UNKNOWN']);

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

    expect(response.body).toMatchObject({
      siteId,
      inWindow: 3,
      total: 3,
      limit: 5,
      limitPerAddress: 3,
      windowSeconds: 600,
    });
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

  describe('under concurrency, never more wrong codes evaluated than the limit', () => {
    it('given 30 simultaneous checks of unknown codes on two instances, then 3 are told and recorded, 27 refused with 429', async () => {
      const site = await accreditedSite(first.url);

      const answers = await Promise.all(
        unknownCodes(30).map((code, i) => check(i % 2 ? first.url : second.url, code, site)),
      );

      expect(toldWrong(answers)).toHaveLength(3);
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(27);
      expect(await recorded(site)).toHaveLength(3);
    });

    it('given 10 simultaneous redemptions of 10 unknown codes each, then 3 codes are told and recorded, the others refused unchecked', async () => {
      const site = await accreditedSite(first.url);

      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => redeem(i % 2 ? first.url : second.url, unknownCodes(10), site)),
      );

      expect(toldWrong(answers)).toHaveLength(3);
      expect(await recorded(site)).toHaveLength(3);
      expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(429));
      // The one request the allowance reached: its first three codes told, the seven others not looked at.
      const partly = answers.filter((answer) => answer.body.details?.codes);
      expect(partly).toHaveLength(1);
      expect(partly[0].body.details.codes).toEqual([
        ...[0, 1, 2].map((position) => ({ position, code: 'PASS_UNKNOWN', message: expect.stringMatching(FRENCH) })),
        ...[3, 4, 5, 6, 7, 8, 9].map((position) => ({
          position,
          code: 'TOO_MANY_FAILED_ATTEMPTS',
          message: expect.stringMatching(/^Ce code n’a pas été vérifié : trop de codes erronés/),
        })),
      ]);
    });

    it('given failures below the limit, then ten good codes still redeem, and a request is checked only up to the allowance', async () => {
      const site = await accreditedSite(first.url);
      const [good, other] = [booklet({ size: 10 }), booklet({ size: 1 })];
      await issue(scope, first, good, other);
      expect((await check(first.url, generatePassCode(), site)).body.code).toBe('PASS_UNKNOWN');

      expect((await redeem(second.url, good.codes, site)).status).toBe(201);
      const [wrong1, wrong2, wrong3] = unknownCodes(3);
      const partly = await redeem(first.url, [wrong1, other.codes[0], wrong2, wrong3], site);

      expect(partly.status).toBe(429);
      expect(partly.body.code).toBe('TOO_MANY_FAILED_ATTEMPTS');
      expect(partly.body.details.codes.map((told: Told) => [told.position, told.code])).toEqual([
        [0, 'PASS_UNKNOWN'],
        [2, 'PASS_UNKNOWN'],
        [3, 'TOO_MANY_FAILED_ATTEMPTS'],
      ]);
      expect(await recorded(site)).toHaveLength(3);
      const [{ status }] = await scope.sql<{ status: string }>(
        'redemption',
        'SELECT status FROM passes WHERE id = $1',
        [other.payload.passes[0].passId],
      );
      expect(status).toBe('issued');
    });
  });

  describe('one site, one address: never an address alone', () => {
    it('given a site that used up its attempts, then another site redeems from the same address', async () => {
      const [siteX, siteY] = [await accreditedSite(first.url), await accreditedSite(first.url)];
      const issued = booklet({ size: 2 });
      await issue(scope, first, issued);
      await redeem(first.url, unknownCodes(3), siteX);

      expect((await redeem(first.url, [issued.codes[0]], siteX)).status).toBe(429);
      expect((await redeem(first.url, [issued.codes[1]], siteY)).status).toBe(201);
    });

    it('given a caller that is not a trusted proxy, then its X-Forwarded-For does not choose the address counted', async () => {
      const site = await accreditedSite(first.url);
      const issued = booklet({ size: 1 });
      await issue(scope, first, issued);

      for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
        expect((await check(first.url, generatePassCode(), site, address)).body.code).toBe('PASS_UNKNOWN');

      const addresses = (await recorded(site)).map((row) => row.client_address);
      expect(new Set(addresses).size).toBe(1);
      expect(addresses[0]).not.toMatch(/^203\.0\.113\./);
      expect((await redeem(first.url, issued.codes, site, '203.0.113.4')).status).toBe(429);
    });

    it("given the caller's address forwarded by a trusted proxy, then one person's failures leave the others theirs, up to the site's limit", async () => {
      const site = await accreditedSite(first.url);
      const issued = booklet({ size: 3 });
      await issue(scope, first, issued);
      const [alice, bob, carol] = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];

      await redeem(behindProxy.url, unknownCodes(3), site, alice);
      expect((await redeem(behindProxy.url, [issued.codes[0]], site, alice)).status).toBe(429);
      expect((await redeem(behindProxy.url, [issued.codes[0]], site, bob)).status).toBe(201);
      expect(toldWrong([await redeem(behindProxy.url, unknownCodes(2), site, bob)])).toHaveLength(2);
      expect((await redeem(behindProxy.url, [issued.codes[1]], site, carol)).status).toBe(429);

      expect((await recorded(site)).map((row) => row.client_address)).toEqual([alice, alice, alice, bob, bob]);
    });

    it("given a person at the web front, then the front passes the person's address on to the service", async () => {
      const site = await accreditedSite(first.url);
      let web: INestApplication | undefined;
      try {
        web = await createWebApp({
          NODE_ENV: 'test',
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
          REDEMPTION_URL: behindProxy.url,
          DEV_SIGNING_KEY: (await testKeyPair()).privateKeyPem,
        });
        const browser = request.agent((await web.getUrl()).replace('[::1]', '127.0.0.1'));
        await browser.post('/connexion').type('form').send({ role: 'site', org: site }).expect(303);
        const page = await browser.get('/lieu').expect(200);
        const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];

        // The web front itself trusts its loopback reverse proxy: this is the person's address as it sees it.
        const refused = await browser
          .post('/lieu/validation')
          .set('X-Forwarded-For', '192.0.2.44')
          .type('form')
          .send({ _csrf: csrf, action: 'redeem', codes: generatePassCode(), idempotencyKey: randomUUID() });

        expect(refused.status).toBe(422);
        expect((await recorded(site)).map((row) => row.client_address)).toEqual(['192.0.2.44']);
      } finally {
        await web?.close();
      }
    });
  });
});
