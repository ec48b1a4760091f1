import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { Role } from '@app/auth';
import { generatePemKeyPair, mintToken, ROLES } from '@app/auth';
import { siretFor, TestScope, testToken, waitFor } from '@app/testing';
import type { Platform, ServiceKey } from './platform';
import { as, caughtUp, startPlatform } from './platform';

interface Route {
  service: ServiceKey;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  roles: Role[] | 'public';
  /** Per 4xx status, the `code` values its document lists. */
  problems: Record<string, string[]>;
}

/**
 * How to call a route with a path parameter: the parameters, and, for a route
 * that acts on one organisation's resource, the role and the body with which a
 * foreign organisation of that role must be turned away.
 */
interface RouteFixture {
  params: Record<string, string>;
  query?: string;
  foreign?: { role: Role; body?: object };
}

type World = Record<
  | 'fundedProgram'
  | 'otherProgram'
  | 'funderA'
  | 'agencyA'
  | 'siteA'
  | 'booklet'
  | 'bookletOrder'
  | 'pass'
  | 'redemption',
  string
>;

const IBAN = { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP882' };

/** Every route with a parameter needs an entry here, so a new route cannot escape the matrix. */
function fixtures(w: World): Record<string, RouteFixture> {
  const none = randomUUID();
  return {
    'issuance GET /agencies/{id}': { params: { id: w.agencyA }, foreign: { role: 'counselor' } },
    'issuance GET /booklets/{id}': { params: { id: w.booklet }, foreign: { role: 'counselor' } },
    'issuance GET /booklets/{id}/pdf': { params: { id: w.booklet }, foreign: { role: 'counselor' } },
    'issuance GET /booklet-orders/{id}': { params: { id: w.bookletOrder }, foreign: { role: 'counselor' } },
    'issuance POST /booklets/{id}/void': {
      params: { id: w.booklet },
      foreign: { role: 'counselor', body: { reason: 'lost' } },
    },
    'issuance POST /passes/{id}/void': {
      params: { id: w.pass },
      foreign: { role: 'counselor', body: { reason: 'lost' } },
    },
    'redemption GET /sites/{id}': { params: { id: w.siteA }, foreign: { role: 'site' } },
    'redemption PATCH /sites/{id}/payout-account': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/accreditation': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/suspension': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/reinstatement': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/revocation': { params: { id: w.siteA } },
    'redemption POST /redemptions/{id}/cancellation': {
      params: { id: w.redemption },
      foreign: { role: 'site', body: { reason: 'Erreur de saisie' } },
    },
    'redemption GET /sites/{id}/failed-attempts': { params: { id: w.siteA } },
    'funding GET /funders/{id}': { params: { id: w.funderA }, foreign: { role: 'funder' } },
    'funding GET /programs/{id}': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'funding POST /programs/{id}/budget-increases': { params: { id: w.fundedProgram } },
    'funding POST /programs/{id}/closure': { params: { id: w.otherProgram } },
    'funding GET /programs/{id}/balances': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'funding GET /programs/{id}/transfers': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'funding POST /programs/{programId}/allocations': {
      params: { programId: w.fundedProgram },
      foreign: { role: 'funder', body: { agencyId: w.agencyA, amountCents: 10_000 } },
    },
    'funding GET /programs/{programId}/allocations': {
      params: { programId: w.fundedProgram },
      foreign: { role: 'funder' },
    },
    'funding POST /programs/{programId}/reclaims': {
      params: { programId: w.fundedProgram },
      foreign: { role: 'funder', body: { agencyId: w.agencyA, amountCents: 10_000 } },
    },
    'funding GET /settlement-runs/{id}': { params: { id: none } },
    'funding GET /settlement-runs/{id}/sepa': { params: { id: none } },
    'funding POST /settlement-runs/{id}/payment-confirmation': { params: { id: none } },
    // Statements only exist once a month is settled: their owners are checked in test/funding/settlement.int-spec.ts.
    'funding GET /settlement-runs/{id}/funder-statements': { params: { id: none } },
    'funding GET /settlement-runs/{id}/statements/{statementId}': { params: { id: none, statementId: none } },
    'funding GET /settlement-runs/{id}/statements/{statementId}/pdf': { params: { id: none, statementId: none } },
    'funding POST /programs/{id}/credit-notes': { params: { id: w.fundedProgram } },
    'funding GET /programs/{id}/credit-notes': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/summary': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-agency': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-site': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-departement': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-day': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/profiles': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /audit/passes/{passId}': { params: { passId: w.pass }, foreign: { role: 'funder' } },
    'reporting GET /audit/booklets/{bookletId}': { params: { bookletId: w.booklet }, foreign: { role: 'funder' } },
    'reporting GET /exports/programs/{id}/aggregates.csv': {
      params: { id: w.fundedProgram },
      foreign: { role: 'funder' },
    },
    'reporting GET /exports/redemptions.csv': {
      params: {},
      query: `programId=${w.fundedProgram}`,
      foreign: { role: 'funder' },
    },
    'reporting GET /rebuilds/{id}': { params: { id: none } },
    // Every service's dead letters (libs/platform): this world has none, the operator gets 404 (400 without a reason).
    ...Object.fromEntries(
      (['issuance', 'redemption', 'funding', 'reporting'] as const).flatMap((service) =>
        ['GET /dead-letters/{id}', 'POST /dead-letters/{id}/replay', 'POST /dead-letters/{id}/discard'].map((route) => [
          `${service} ${route}`,
          { params: { id: none } },
        ]),
      ),
    ),
  };
}

/**
 * For every route of every service, discovered from the OpenAPI documents:
 * each role allowed or refused as the route declares, a foreign organisation
 * of the right role refused, and no token, an expired token, a token signed
 * by another key or for another audience all refused.
 */
describe('access-control matrix', () => {
  const scope = new TestScope('matrix');
  let platform: Platform;
  let world: World;
  let routes: Route[];
  const tokens = {} as Record<Role | 'foreignFunder' | 'foreignCounselor' | 'foreignSite', string>;

  beforeAll(async () => {
    platform = await startPlatform(scope, { SETTLEMENT_SCHEDULE_ENABLED: 'false', EXPIRY_JOB_ENABLED: 'false' });
    world = await buildWorld(platform, tokens);
    routes = [];
    for (const service of Object.keys(platform) as ServiceKey[]) {
      const document = (await request(platform[service].url).get('/docs-json').expect(200)).body;
      for (const [path, operations] of Object.entries(
        document.paths as Record<string, Record<string, Record<string, unknown>>>,
      )) {
        for (const [method, operation] of Object.entries(operations)) {
          routes.push({
            service,
            method: method as Route['method'],
            path,
            roles: operation['x-public'] ? 'public' : (operation['x-roles'] as Role[]),
            problems: documentedProblems(operation.responses as Record<string, { description: string }>),
          });
        }
      }
    }
  });
  afterAll(() => scope.close());

  const keyOf = (route: Route) => `${route.service} ${route.method.toUpperCase()} ${route.path}`;
  const urlOf = (route: Route, fixture?: RouteFixture) =>
    route.path.replace(/\{(\w+)\}/g, (_, name: string) => fixture?.params[name] ?? `<missing ${name}>`) +
    (fixture?.query ? `?${fixture.query}` : '');
  const answers: Array<{ route: Route; status: number; code: string }> = [];
  const call = (route: Route, token: string | null, body: object = {}, fixture?: RouteFixture) => {
    const test = request(platform[route.service].url)[route.method](urlOf(route, fixture));
    test.on('response', (response: request.Response) =>
      answers.push({ route, status: response.status, code: (response.body as { code?: string }).code ?? '' }),
    );
    if (token) test.set('Authorization', `Bearer ${token}`);
    return route.method === 'get' ? test : test.send(body);
  };

  it('finds every service’s routes, each either public or with its roles', () => {
    expect(routes.length).toBeGreaterThan(60);
    for (const route of routes)
      expect([
        keyOf(route),
        route.roles === 'public' || (Array.isArray(route.roles) && route.roles.length > 0),
      ]).toEqual([keyOf(route), true]);
  });

  it('has a fixture for every route with a parameter or an owner (add one when adding a route)', () => {
    const table = fixtures(world);
    const missing = routes.filter((route) => route.path.includes('{') && !table[keyOf(route)]).map(keyOf);
    expect(missing).toEqual([]);
  });

  it('refuses every protected route without a valid token', async () => {
    const otherKey = await generatePemKeyPair();
    const invalid = {
      'no token': null,
      expired: await testToken({ role: 'operator', expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      'signed by another key': await mintToken(otherKey.privateKeyPem, { role: 'operator' }),
      'for another audience': await testToken({ role: 'operator', audience: 'another-api' }),
      'made to live ten years': await testToken({ role: 'operator', expiresIn: '3650d' }),
    };
    const table = fixtures(world);
    const outcomes: string[] = [];
    for (const route of routes.filter((r) => r.roles !== 'public')) {
      for (const [what, token] of Object.entries(invalid)) {
        const response = await call(route, token, {}, table[keyOf(route)]);
        if (response.status !== 401) outcomes.push(`${keyOf(route)} with ${what}: ${response.status}`);
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('answers public routes without a token', async () => {
    for (const route of routes.filter((r) => r.roles === 'public')) await call(route, null).expect(200);
  });

  it('lets each role in where the route allows it, and only there', async () => {
    const table = fixtures(world);
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.roles !== 'public')) {
      for (const role of ROLES) {
        const response = await call(route, tokens[role], {}, table[keyOf(route)]);
        const allowed = (route.roles as Role[]).includes(role);
        const refusedByRole = response.status === 403 && response.body.code === 'AUTH_ROLE_FORBIDDEN';
        if (allowed ? response.status === 401 || refusedByRole : !refusedByRole)
          wrong.push(`${keyOf(route)} as ${role}: ${response.status} ${response.body.code ?? ''}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('turns away a foreign organisation of the right role', async () => {
    const table = fixtures(world);
    const foreignToken = {
      funder: tokens.foreignFunder,
      counselor: tokens.foreignCounselor,
      site: tokens.foreignSite,
    } as Record<Role, string>;
    const wrong: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const fixture = table[keyOf(route)];
      if (!fixture?.foreign) continue;
      checked++;
      const owner = await call(route, tokens[fixture.foreign.role], undefined, fixture);
      const foreign = await call(route, foreignToken[fixture.foreign.role], fixture.foreign.body, fixture);
      if (![403, 404].includes(foreign.status))
        wrong.push(`${keyOf(route)} as a foreign ${fixture.foreign.role}: ${foreign.status}`);
      if (route.method === 'get' && owner.status !== 200)
        wrong.push(`${keyOf(route)} as its own ${fixture.foreign.role}: ${owner.status}`);
    }
    expect(checked).toBeGreaterThan(20);
    expect(wrong).toEqual([]);
  });

  it('answered every refusal above with a status and code its route documents', () => {
    const undocumented = answers
      .filter(({ route, status, code }) => status >= 400 && !route.problems[status]?.includes(code))
      .map(({ route, status, code }) => `${keyOf(route)}: ${status} ${code}`);
    expect(answers.length).toBeGreaterThan(500);
    expect([...new Set(undocumented)]).toEqual([]);
  });
});

/** The codes each problem response lists in its description (`code`: `A`, `B`), per status. */
function documentedProblems(responses: Record<string, { description: string }>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(responses).map(([status, { description }]) => [
      status,
      [...(description.split('`code`:')[1] ?? '').matchAll(/`(\w+)`/g)].map((match) => match[1]),
    ]),
  );
}

/** Two of everything, A the owner and B the foreigner, through the APIs. */
async function buildWorld(platform: Platform, tokens: Record<string, string>): Promise<World> {
  const operator = await testToken({ role: 'operator', subject: 'matrix-operator' });
  const funding = as(platform.funding, operator);
  const issuance = as(platform.issuance, operator);
  const redemption = as(platform.redemption, operator);
  const funderA = (
    await funding.post('/funders', { name: 'Financeur A', kind: 'state', siret: siretFor(80_001) }).expect(201)
  ).body.id;
  const funderB = (
    await funding.post('/funders', { name: 'Financeur B', kind: 'caf', siret: siretFor(80_002) }).expect(201)
  ).body.id;
  const agencyA = (
    await issuance
      .post('/agencies', { name: 'Agence A', kind: 'caf', departement: '31', siret: siretFor(80_003) })
      .expect(201)
  ).body.id;
  const agencyB = (
    await issuance
      .post('/agencies', { name: 'Agence B', kind: 'ccas', departement: '31', siret: siretFor(80_004) })
      .expect(201)
  ).body.id;
  const program = (funderId: string) => ({
    name: 'Programme matrice',
    validFrom: '2026-01-01',
    validUntil: '2030-12-31',
    toleranceDays: 31,
    territory: ['31'],
    fundingLines: [{ funderId, shareBasisPoints: 10000 }],
    budgetCents: 100_000,
  });
  const fundedProgram = (await funding.post('/programs', program(funderA)).expect(201)).body.id;
  const otherProgram = (await funding.post('/programs', program(funderB)).expect(201)).body.id;
  const site = async (name: string, n: number) => {
    const id = (
      await redemption
        .post('/sites', {
          name,
          siret: siretFor(n),
          address: '1 rue Alsace-Lorraine',
          postalCode: '31000',
          inseeCode: '31555',
          labels: [],
          ...IBAN,
        })
        .expect(201)
    ).body.id;
    await redemption.post(`/sites/${id}/accreditation`, { validUntil: '2030-12-31', reason: 'Habilité' });
    return id as string;
  };
  const siteA = await site('Lieu A', 80_005);
  const siteB = await site('Lieu B', 80_006);
  await waitFor('funding to know the agency', async () =>
    (await funding.get('/agencies')).body.some((a: { id: string }) => a.id === agencyA),
  );
  await funding.post(`/programs/${fundedProgram}/allocations`, { agencyId: agencyA, amountCents: 20_000 }).expect(201);

  Object.assign(tokens, {
    operator,
    funder: await testToken({ role: 'funder', org: funderA }),
    counselor: await testToken({ role: 'counselor', org: agencyA }),
    site: await testToken({ role: 'site', org: siteA }),
    foreignFunder: await testToken({ role: 'funder', org: funderB }),
    foreignCounselor: await testToken({ role: 'counselor', org: agencyB }),
    foreignSite: await testToken({ role: 'site', org: siteB }),
  });
  const counselor = as(platform.issuance, tokens.counselor);
  await waitFor('the allocation to reach issuance', async () =>
    (await counselor.get('/allocations')).body.some((a: { remainingBooklets: number }) => a.remainingBooklets > 0),
  );
  const booklet = (
    await counselor
      .post('/booklets', {
        programId: fundedProgram,
        beneficiary: { situation: 'other', diagnosticLevel: 'low_autonomy' },
      })
      .expect(201)
  ).body;
  const bookletOrder = (
    await counselor
      .post('/booklet-orders', {
        programId: fundedProgram,
        beneficiaries: [{ situation: 'senior', diagnosticLevel: 'no_autonomy' }],
      })
      .set('Idempotency-Key', randomUUID())
      .expect(201)
  ).body;
  const staff = as(platform.redemption, tokens.site);
  await waitFor(
    'redemption to know the passes',
    async () => (await staff.post('/passes/check', { code: booklet.passes[0].code })).body.usable === true,
  );
  const redeemed = (
    await staff
      .post('/redemptions', { codes: [booklet.passes[0].code] })
      .set('Idempotency-Key', randomUUID())
      .expect(201)
  ).body;
  await Promise.all([
    caughtUp(platform.reporting, platform.issuance, platform.redemption),
    caughtUp(platform.funding, platform.issuance, platform.redemption),
  ]);
  return {
    fundedProgram,
    otherProgram,
    funderA,
    agencyA,
    siteA,
    booklet: booklet.id,
    bookletOrder: bookletOrder.id,
    pass: booklet.passes[1].id,
    redemption: redeemed.redemptionId,
  };
}
