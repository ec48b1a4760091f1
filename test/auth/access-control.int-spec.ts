import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { generatePemKeyPair, mintToken } from '@app/auth';
import type { RunningService } from '@app/testing';
import { siretFor, TestScope, testToken } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';

/** Words a French message carries and an English one does not, with its accents. */
const FRENCH = /[àâçéèêëîïôûùüÿœ]|\b(le|la|les|de|du|une?|est|vous|votre)\b/i;

// Who may call what on a real service: the token checks of the global guard,
// the role of each route, and the organisation scope of counselors.
describe('access control on the issuance API', () => {
  const scope = new TestScope('access');
  let issuance: RunningService;

  const agencyBody = (seed: number, name = `CCAS n°${seed}`) => ({
    name,
    kind: 'ccas',
    departement: '31',
    siret: siretFor(seed),
  });
  const bearer = (token: string) => `Bearer ${token}`;
  const countAgencies = async () =>
    Number((await scope.sql<{ count: string }>('issuance', 'SELECT count(*) FROM agencies'))[0].count);

  beforeAll(async () => {
    issuance = await scope.start(issuanceService);
  });
  afterAll(() => scope.close());

  describe('public routes', () => {
    it('given no token, when /health is requested, then it answers 200', async () => {
      const health = await request(issuance.url).get('/health').expect(200);

      expect(health.body.status).toBe('ok');
    });

    it('given no token, when /metrics is requested, then it answers 200 with Prometheus text', async () => {
      const metrics = await request(issuance.url).get('/metrics').expect(200);

      expect(metrics.text).toContain('# TYPE');
    });

    it('given no token, when /docs-json is requested, then it answers the OpenAPI document of the agencies routes', async () => {
      const docs = await request(issuance.url).get('/docs-json').expect(200);

      expect(docs.body.openapi).toMatch(/^3\./);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/agencies', '/agencies/{id}', '/health']));
      expect(docs.body.components.securitySchemes).toHaveProperty('bearer');
    });
  });

  describe('token checks', () => {
    it('given no token, when an agency is registered, then 401 AUTH_TOKEN_MISSING with a French message, and nothing is written', async () => {
      const response = await request(issuance.url).post('/agencies').send(agencyBody(1)).expect(401);

      expect(response.body).toMatchObject({ statusCode: 401, code: 'AUTH_TOKEN_MISSING' });
      expect(response.body.message).toMatch(FRENCH);
      expect(await countAgencies()).toBe(0);
    });

    it('given a non-bearer Authorization header, when an agency is registered, then 401 AUTH_TOKEN_MISSING', async () => {
      const operator = await testToken({ role: 'operator' });

      const response = await request(issuance.url)
        .post('/agencies')
        .set('Authorization', `Basic ${operator}`)
        .send(agencyBody(1))
        .expect(401);

      expect(response.body.code).toBe('AUTH_TOKEN_MISSING');
    });

    it('given an operator token signed by another key, when an agency is registered, then 401 AUTH_TOKEN_INVALID', async () => {
      const forged = await mintToken((await generatePemKeyPair()).privateKeyPem, { role: 'operator' });

      const response = await request(issuance.url)
        .post('/agencies')
        .set('Authorization', bearer(forged))
        .send(agencyBody(1))
        .expect(401);

      expect(response.body).toMatchObject({ statusCode: 401, code: 'AUTH_TOKEN_INVALID' });
      expect(response.body.message).toMatch(FRENCH);
    });

    it.each([
      ['expired', { expiresIn: Math.floor(Date.now() / 1000) - 60 }],
      ['for another audience', { audience: 'some-other-app' }],
      ['from another issuer', { issuer: 'https://evil.example' }],
    ])(
      'given an operator token %s, when an agency is registered, then 401 AUTH_TOKEN_INVALID',
      async (_why, claims) => {
        const token = await testToken({ role: 'operator', ...claims });

        const response = await request(issuance.url)
          .post('/agencies')
          .set('Authorization', bearer(token))
          .send(agencyBody(1))
          .expect(401);

        expect(response.body.code).toBe('AUTH_TOKEN_INVALID');
      },
    );

    it('given a garbage bearer token, when an agency is registered, then 401 AUTH_TOKEN_INVALID', async () => {
      const response = await request(issuance.url)
        .post('/agencies')
        .set('Authorization', 'Bearer not.a.jwt')
        .send(agencyBody(1))
        .expect(401);

      expect(response.body.code).toBe('AUTH_TOKEN_INVALID');
      expect(await countAgencies()).toBe(0);
    });
  });

  describe('roles and organisations', () => {
    let agencyId: string;

    it('given a counselor token, when an agency is registered, then 403 AUTH_ROLE_FORBIDDEN and nothing is written', async () => {
      const counselor = await testToken({ role: 'counselor', org: randomUUID() });

      const response = await request(issuance.url)
        .post('/agencies')
        .set('Authorization', bearer(counselor))
        .send(agencyBody(1))
        .expect(403);

      expect(response.body).toMatchObject({ statusCode: 403, code: 'AUTH_ROLE_FORBIDDEN' });
      expect(response.body.message).toMatch(FRENCH);
      expect(await countAgencies()).toBe(0);
    });

    it('given an operator token, when an agency is registered, then 201 with the agency', async () => {
      const operator = await testToken({ role: 'operator', subject: 'operator-access' });

      const response = await request(issuance.url)
        .post('/agencies')
        .set('Authorization', bearer(operator))
        .send(agencyBody(1, 'CCAS de Muret'))
        .expect(201);

      expect(response.body).toMatchObject({
        name: 'CCAS de Muret',
        kind: 'ccas',
        departement: '31',
        siret: siretFor(1),
      });
      expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
      agencyId = response.body.id;
      const [row] = await scope.sql('issuance', 'SELECT registered_by FROM agencies WHERE id = $1', [agencyId]);
      expect(row).toEqual({ registered_by: 'operator-access' });
    });

    it('given a counselor of that agency, when it is read, then 200 with the agency', async () => {
      const counselor = await testToken({ role: 'counselor', org: agencyId });

      const response = await request(issuance.url)
        .get(`/agencies/${agencyId}`)
        .set('Authorization', bearer(counselor))
        .expect(200);

      expect(response.body).toMatchObject({ id: agencyId, name: 'CCAS de Muret', siret: siretFor(1) });
    });

    it('given a counselor of another agency, when it is read, then 403 AUTH_ORG_FORBIDDEN with a French message', async () => {
      const counselor = await testToken({ role: 'counselor', org: randomUUID() });

      const response = await request(issuance.url)
        .get(`/agencies/${agencyId}`)
        .set('Authorization', bearer(counselor))
        .expect(403);

      expect(response.body).toMatchObject({ statusCode: 403, code: 'AUTH_ORG_FORBIDDEN' });
      expect(response.body.message).toMatch(FRENCH);
      expect(JSON.stringify(response.body)).not.toContain('CCAS de Muret');
    });

    it('given a funder, even one claiming the agency as its org, when it is read, then 403 AUTH_ROLE_FORBIDDEN', async () => {
      const funder = await testToken({ role: 'funder', org: agencyId });

      const response = await request(issuance.url)
        .get(`/agencies/${agencyId}`)
        .set('Authorization', bearer(funder))
        .expect(403);

      expect(response.body.code).toBe('AUTH_ROLE_FORBIDDEN');
    });

    it('given a counselor, when the list of agencies is requested, then 403 AUTH_ROLE_FORBIDDEN', async () => {
      const counselor = await testToken({ role: 'counselor', org: agencyId });

      const response = await request(issuance.url).get('/agencies').set('Authorization', bearer(counselor)).expect(403);

      expect(response.body.code).toBe('AUTH_ROLE_FORBIDDEN');
    });

    it('given an operator, when an agency is read by an id that is not a UUID, then 400', async () => {
      const operator = await testToken({ role: 'operator' });

      const response = await request(issuance.url)
        .get('/agencies/not-a-uuid')
        .set('Authorization', bearer(operator))
        .expect(400);

      expect(response.body).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST' });
    });

    it('given an operator, when an unknown agency is read, then 404 AGENCY_NOT_FOUND', async () => {
      const operator = await testToken({ role: 'operator' });

      const response = await request(issuance.url)
        .get(`/agencies/${randomUUID()}`)
        .set('Authorization', bearer(operator))
        .expect(404);

      expect(response.body.code).toBe('AGENCY_NOT_FOUND');
    });

    it('given an agency already registered with a SIRET, when another is registered with it, then 409 and still one outbox row', async () => {
      const operator = await testToken({ role: 'operator' });

      const response = await request(issuance.url)
        .post('/agencies')
        .set('Authorization', bearer(operator))
        .send(agencyBody(1, 'CCAS de Muret (doublon)'))
        .expect(409);

      expect(response.body).toMatchObject({ statusCode: 409, code: 'AGENCY_ALREADY_REGISTERED' });
      expect(response.body.message).toMatch(FRENCH);
      expect(response.body.message).toContain(siretFor(1));
      const agencies = await scope.sql('issuance', 'SELECT id, name FROM agencies WHERE siret = $1', [siretFor(1)]);
      expect(agencies).toEqual([{ id: agencyId, name: 'CCAS de Muret' }]);
      // Counted by SIRET, not by key: a duplicate that slipped through would carry a new agency id.
      const events = await scope.sql<{ message_key: string }>(
        'issuance',
        `SELECT message_key FROM outbox_messages WHERE event_type = 'AgencyRegistered' AND payload->'payload'->>'siret' = $1`,
        [siretFor(1)],
      );
      expect(events).toEqual([{ message_key: agencyId }]);
    });
    it('given ten simultaneous registrations with one SIRET, then exactly one 201, nine 409 and one event', async () => {
      const operator = await testToken({ role: 'operator' });

      const statuses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          request(issuance.url)
            .post('/agencies')
            .set('Authorization', bearer(operator))
            .send(agencyBody(900, `Course ${i}`))
            .then((r) => r.status),
        ),
      );

      expect(statuses.sort()).toEqual([201, ...Array(9).fill(409)]);
      const events = await scope.sql(
        'issuance',
        `SELECT 1 FROM outbox_messages WHERE event_type = 'AgencyRegistered' AND payload->'payload'->>'siret' = $1`,
        [siretFor(900)],
      );
      expect(events).toHaveLength(1);
    });
  });
});
