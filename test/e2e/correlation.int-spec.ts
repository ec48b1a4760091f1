import { randomUUID } from 'node:crypto';
import { BookletIssued } from '@app/contracts';
import { generatePassCode, hashPassCode, parsePassCode } from '@app/pass-codes';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { envelopeOf, publishEnvelopes, siretFor, spawnService, TestScope, testToken, waitFor } from '@app/testing';
import { as } from './platform';

/** A correlation id sent with a redemption request travels through Kafka to the funding consumer's log line. */
describe('correlation ids across services', () => {
  const scope = new TestScope('correlation');
  afterAll(() => scope.close());

  it('appears in the funding consumer’s log line for the redemption it caused', async () => {
    const funding = await spawnService(scope, 'funding');
    const redemption = await scope.start(redemptionService);
    const operator = as(redemption, await testToken({ role: 'operator' }));
    const site = (
      await operator
        .post('/sites', {
          name: 'Lieu corrélé',
          siret: siretFor(90_001),
          address: '1 rue du Taur',
          postalCode: '31000',
          inseeCode: '31555',
          labels: [],
          iban: 'FR7630006000011234567890189',
          bic: 'AGRIFRPP882',
        })
        .expect(201)
    ).body;
    await operator.post(`/sites/${site.id}/accreditation`, { validUntil: '2030-12-31', reason: 'Habilité' });

    // A booklet as issuance announces it, with one code this test knows.
    const code = generatePassCode();
    const parsed = parsePassCode(code);
    if (!parsed.valid) throw new Error('invalid generated code');
    const booklet = envelopeOf(BookletIssued, {
      bookletId: randomUUID(),
      programId: randomUUID(),
      agencyId: randomUUID(),
      issuedBy: 'counselor',
      beneficiary: { beneficiaryRef: 'BEN-CORRELATE', situation: 'other', diagnosticLevel: 'low_autonomy' },
      validFrom: '2026-01-01',
      validUntil: '2030-12-31',
      toleranceDays: 0,
      territory: ['31'],
      passes: [{ passId: randomUUID(), codeHash: hashPassCode(parsed.canonical), amountCents: 1000 }],
      totalCents: 1000,
    });
    await publishEnvelopes(redemption.env.KAFKA_TOPIC_PREFIX!, [booklet]);
    const staff = as(redemption, await testToken({ role: 'site', org: site.id }));
    await waitFor(
      'redemption to know the pass',
      async () => (await staff.post('/passes/check', { code })).body.usable === true,
    );

    const correlationId = `journey-${randomUUID().slice(0, 8)}`;
    await staff
      .post('/redemptions', { codes: [code] })
      .set('Idempotency-Key', randomUUID())
      .set('X-Correlation-Id', correlationId)
      .expect(201);

    // Funding has never seen this booklet: the redemption waits for it, and funding says so with the request's correlation id.
    const line = await waitFor('the funding consumer to log the event', () =>
      funding
        .output()
        .split('\n')
        .find((l) => l.includes('VoucherRedeemed') && l.includes(correlationId)),
    );
    expect(JSON.parse(line)).toMatchObject({ service: 'funding', correlationId });
    await funding.terminate();
  });
});
