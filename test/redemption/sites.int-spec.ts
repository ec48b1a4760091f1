import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RunningService } from '@app/testing';
import { TestScope } from '@app/testing';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { BIC, bearer, FRENCH, IBAN, outbox, siteBody } from './redemption-fixtures';

describe('mediation sites and their accreditation', () => {
  const scope = new TestScope('rdsites');
  let service: RunningService;
  let operator: string;

  beforeAll(async () => {
    service = await scope.start(redemptionService);
    operator = await bearer('operator', undefined, 'operator-7');
  });
  afterAll(() => scope.close());

  const register = (body: Record<string, unknown>) =>
    request(service.url).post('/sites').set('Authorization', operator).send(body);
  const decide = (id: string, step: string, body: Record<string, unknown>) =>
    request(service.url).post(`/sites/${id}/${step}`).set('Authorization', operator).send(body);

  describe('registration', () => {
    it('given a valid site in Corsica, when registered, then it is pending with the département from the INSEE code, and SiteRegistered is in the outbox', async () => {
      const response = await register(
        siteBody({
          postalCode: '20000',
          inseeCode: '2A004',
          departement: '2A',
          iban: 'FR76 3000 6000 0112 3456 7890 189',
        }),
      ).expect(201);

      expect(response.body).toMatchObject({
        status: 'pending',
        departement: '2A',
        iban: IBAN,
        bic: BIC,
        accreditedUntil: null,
      });
      const events = await outbox(scope, 'SiteRegistered');
      expect(events.find((e) => e.message_key === response.body.id)?.payload.payload).toMatchObject({
        siteId: response.body.id,
        departement: '2A',
        inseeCode: '2A004',
        iban: IBAN,
        source: 'manual',
        registeredBy: 'operator-7',
      });
    });

    it('given an association with an RNA number in Réunion and no payout account, when registered, then 201 in département 974', async () => {
      const response = await register(
        siteBody({
          siret: undefined,
          rna: 'W974000123',
          postalCode: '97400',
          inseeCode: '97411',
          iban: undefined,
          bic: undefined,
        }),
      ).expect(201);

      expect(response.body).toMatchObject({ rna: 'W974000123', siret: null, departement: '974', iban: null });
    });

    it.each([
      [{ departement: '32' }, 422, 'SITE_DEPARTEMENT_MISMATCH'],
      [{ inseeCode: '97502' }, 422, 'SITE_INSEE_CODE_UNKNOWN'],
      [{ rna: 'W313000123' }, 422, 'SITE_IDENTIFIER_REQUIRED'],
      [{ bic: undefined }, 422, 'SITE_PAYOUT_ACCOUNT_INCOMPLETE'],
      [{ iban: 'FR7630006000011234567890188' }, 400, 'VALIDATION_FAILED'],
      [{ siret: '73282932000075' }, 400, 'VALIDATION_FAILED'],
      [{ labels: ['unknown'] }, 400, 'VALIDATION_FAILED'],
    ])('given %j, when registered, then %i %s and nothing is written', async (overrides, status, code) => {
      const before = (await scope.sql('redemption', 'SELECT id FROM sites')).length;

      const response = await register(siteBody(overrides)).expect(status);

      expect(response.body.code).toBe(code);
      expect(response.body.message).toMatch(FRENCH);
      expect(await scope.sql('redemption', 'SELECT id FROM sites')).toHaveLength(before);
    });

    it('given a site token, when it registers a site or lists them, then 403', async () => {
      const site = await bearer('site', randomUUID());
      await request(service.url).post('/sites').set('Authorization', site).send(siteBody()).expect(403);
      await request(service.url).get('/sites').set('Authorization', site).expect(403);
    });

    it("given site staff, when they read their own site, then 200; another site's, then 403", async () => {
      const mine = (await register(siteBody()).expect(201)).body.id;
      const other = (await register(siteBody()).expect(201)).body.id;

      await request(service.url)
        .get(`/sites/${mine}`)
        .set('Authorization', await bearer('site', mine))
        .expect(200);
      const refused = await request(service.url)
        .get(`/sites/${other}`)
        .set('Authorization', await bearer('site', mine))
        .expect(403);
      expect(refused.body.code).toBe('AUTH_ORG_FORBIDDEN');
      const list = await request(service.url).get('/sites').set('Authorization', operator).expect(200);
      expect(list.body.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([mine, other]));
    });
  });

  describe('accreditation lifecycle', () => {
    it('given a site without payout account, when accredited, then 409 SITE_PAYOUT_ACCOUNT_MISSING; once the account is given (SiteUpdated), then accredited', async () => {
      const id = (await register(siteBody({ iban: undefined, bic: undefined })).expect(201)).body.id;

      const refused = await decide(id, 'accreditation', { validUntil: '2099-12-31', reason: 'Charte signée' }).expect(
        409,
      );
      expect(refused.body.code).toBe('SITE_PAYOUT_ACCOUNT_MISSING');
      expect(refused.body.message).toMatch(FRENCH);
      expect(await outbox(scope, 'SiteAccredited')).not.toContainEqual(expect.objectContaining({ message_key: id }));

      await request(service.url)
        .patch(`/sites/${id}/payout-account`)
        .set('Authorization', operator)
        .send({ iban: 'FR7630006000011234567890188', bic: BIC })
        .expect(400);
      await request(service.url)
        .patch(`/sites/${id}/payout-account`)
        .set('Authorization', operator)
        .send({ iban: IBAN, bic: BIC })
        .expect(200);
      const updates = (await outbox(scope, 'SiteUpdated')).filter((e) => e.message_key === id);
      expect(updates.map((e) => e.payload.payload)).toEqual([expect.objectContaining({ iban: IBAN, bic: BIC })]);

      const accredited = await decide(id, 'accreditation', {
        validUntil: '2099-12-31',
        reason: 'Charte signée',
      }).expect(200);
      expect(accredited.body).toMatchObject({ status: 'accredited', accreditedUntil: '2099-12-31' });
    });

    it('given a site, when it goes accredited → suspended → reinstated → revoked, then each step writes its event with reason and operator, and revoked is final', async () => {
      const id = (await register(siteBody()).expect(201)).body.id;

      await decide(id, 'accreditation', { validUntil: '2099-12-31', reason: 'Charte signée' }).expect(200);
      expect((await decide(id, 'suspension', { reason: 'Contrôle en cours' }).expect(200)).body.status).toBe(
        'suspended',
      );
      expect((await decide(id, 'reinstatement', { reason: 'Contrôle favorable' }).expect(200)).body.status).toBe(
        'accredited',
      );
      expect((await decide(id, 'revocation', { reason: 'Manquement à la charte' }).expect(200)).body.status).toBe(
        'revoked',
      );

      const final = await decide(id, 'accreditation', { validUntil: '2099-12-31', reason: 'Nouvelle demande' }).expect(
        409,
      );
      expect(final.body).toMatchObject({
        code: 'SITE_TRANSITION_NOT_ALLOWED',
        message: "Impossible d'habiliter ce lieu : il est révoqué.",
      });
      await decide(id, 'reinstatement', { reason: 'x' }).expect(409);

      const events = await scope.sql<{ event_type: string; payload: { payload: Record<string, unknown> } }>(
        'redemption',
        `SELECT event_type, payload FROM outbox_messages WHERE message_key = $1 AND event_type LIKE 'Site%' ORDER BY id`,
        [id],
      );
      expect(events.map((e) => [e.event_type, e.payload.payload.reason, e.payload.payload.decidedBy])).toEqual([
        ['SiteRegistered', undefined, undefined],
        ['SiteAccredited', 'Charte signée', 'operator-7'],
        ['SiteSuspended', 'Contrôle en cours', 'operator-7'],
        ['SiteReinstated', 'Contrôle favorable', 'operator-7'],
        ['SiteAccreditationRevoked', 'Manquement à la charte', 'operator-7'],
      ]);
      const decisions = await scope.sql(
        'redemption',
        'SELECT from_status, to_status FROM site_accreditation_decisions WHERE site_id = $1 ORDER BY id',
        [id],
      );
      expect(decisions).toHaveLength(4);
    });

    it('given a pending site, when suspended, then 409 with a French message', async () => {
      const id = (await register(siteBody()).expect(201)).body.id;

      const response = await decide(id, 'suspension', { reason: 'x' }).expect(409);

      expect(response.body.message).toBe("Impossible de suspendre ce lieu : il est en attente d'habilitation.");
    });

    it('given an accreditation end in the past, then 422', async () => {
      const id = (await register(siteBody()).expect(201)).body.id;
      const response = await decide(id, 'accreditation', { validUntil: '2020-01-01', reason: 'x' }).expect(422);
      expect(response.body.code).toBe('ACCREDITATION_END_IN_PAST');
    });

    it('given an unknown site, when accredited, then 404 SITE_NOT_FOUND', async () => {
      const response = await decide(randomUUID(), 'accreditation', { validUntil: '2099-12-31', reason: 'x' }).expect(
        404,
      );
      expect(response.body.code).toBe('SITE_NOT_FOUND');
    });
  });
});
