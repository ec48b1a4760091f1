import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RunningService } from '@app/testing';
import { TestScope, testToken, waitFor } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { IssuanceWorld } from '../issuance/issuance-fixture';
import { accreditedSite } from '../redemption/redemption-fixtures';

type Answer = { status: number; code: string; message: string };

/**
 * POST /booklet-orders and POST /redemptions share one Idempotency-Key rule:
 * for the same mistake both give the same answer, word for word.
 */
describe('one Idempotency-Key rule for issuance and redemption', () => {
  const scope = new TestScope('idemkey');
  let issuance: RunningService;
  let redemption: RunningService;
  let order: (key: string | null, booklets?: number) => Promise<request.Response>;
  let redeem: (key: string | null, codes: string[]) => Promise<request.Response>;
  let codes: string[];

  const answerOf = (response: request.Response): Answer => ({
    status: response.status,
    code: response.body.code,
    message: response.body.message,
  });

  beforeAll(async () => {
    [issuance, redemption] = await Promise.all([scope.start(issuanceService), scope.start(redemptionService)]);
    const world = new IssuanceWorld(scope, issuance);
    const { agencyId, program } = await world.agencyWithAllocation(10);
    const counselor = `Bearer ${await testToken({ role: 'counselor', org: agencyId })}`;
    const siteId = await accreditedSite(redemption.url);
    const staff = `Bearer ${await testToken({ role: 'site', org: siteId })}`;
    const withKey = (call: request.Test, key: string | null) =>
      key === null ? call : call.set('Idempotency-Key', key);
    order = async (key, booklets = 1) =>
      withKey(request(issuance.url).post('/booklet-orders').set('Authorization', counselor), key).send({
        programId: program.programId,
        beneficiaries: Array.from({ length: booklets }, () => ({
          situation: 'job_seeker',
          diagnosticLevel: 'low_autonomy',
        })),
      });
    redeem = async (key, codes) =>
      withKey(request(redemption.url).post('/redemptions').set('Authorization', staff), key).send({ codes });

    const issued = await order(randomUUID(), 2);
    expect(issued.status).toBe(201);
    const passes: Array<{ id: string; code: string }> = issued.body.booklets.flatMap(
      (booklet: { passes: Array<{ id: string; code: string }> }) => booklet.passes,
    );
    codes = passes.map((pass) => pass.code);
    // Polled in the database: failed checks of unknown codes would count as guesses.
    await waitFor('redemption to know the ordered passes', async () => {
      const known = await scope.sql('redemption', 'SELECT 1 FROM passes WHERE id = ANY($1::uuid[])', [
        passes.map((pass) => pass.id),
      ]);
      return known.length === passes.length;
    });
  });
  afterAll(() => scope.close());

  it.each([
    ['no header', null],
    ['an empty key', ''],
    ['a key of 201 characters', 'k'.repeat(201)],
    ['a key with a control character', 'key\twith-a-tab'],
  ])('given %s, then both answer 400 IDEMPOTENCY_KEY_REQUIRED with the same French message', async (_mistake, key) => {
    const [ordered, redeemed] = await Promise.all([order(key), redeem(key, [codes[0]])]);

    expect(answerOf(ordered)).toEqual({
      status: 400,
      code: 'IDEMPOTENCY_KEY_REQUIRED',
      message: expect.stringContaining('Idempotency-Key'),
    });
    expect(answerOf(redeemed)).toEqual(answerOf(ordered));
  });

  it('given a key of 200 characters, then both accept it', async () => {
    const key = 'k'.repeat(200);

    const [ordered, redeemed] = await Promise.all([order(key), redeem(key, [codes[1]])]);

    expect([ordered.status, redeemed.status]).toEqual([201, 201]);
  });

  it('given a key already used for another request, then both answer 409 IDEMPOTENCY_KEY_REUSED with the same French message', async () => {
    const key = randomUUID();
    expect((await order(key, 1)).status).toBe(201);
    expect((await redeem(key, [codes[2]])).status).toBe(201);

    const [ordered, redeemed] = await Promise.all([order(key, 2), redeem(key, [codes[3]])]);

    expect(answerOf(ordered)).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: expect.stringMatching(/clé/),
    });
    expect(answerOf(redeemed)).toEqual(answerOf(ordered));
  });

  it('given the same key and the same request again, then both answer what they answered the first time', async () => {
    const key = randomUUID();
    const [firstOrder, firstRedemption] = [await order(key, 1), await redeem(key, [codes[4]])];

    const [ordered, redeemed] = await Promise.all([order(key, 1), redeem(key, [codes[4]])]);

    expect([ordered.status, ordered.body]).toEqual([201, firstOrder.body]);
    expect([redeemed.status, redeemed.body]).toEqual([201, firstRedemption.body]);
  });
});
