import request from 'supertest';
import type { Role } from '@app/auth';
import { generatePemKeyPair, mintToken, ROLES } from '@app/auth';
import { TestScope, testToken } from '@app/testing';
import type { Platform } from './platform';
import { startPlatform } from './platform';
import type { Route } from './routes';
import { discoverRoutes, keyOf } from './routes';
import type { RouteFixture, World, WorldTokens } from './world';
import { buildWorld, fixtures } from './world';

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
  const tokens = {} as WorldTokens;

  beforeAll(async () => {
    platform = await startPlatform(scope, { SETTLEMENT_SCHEDULE_ENABLED: 'false', EXPIRY_JOB_ENABLED: 'false' });
    world = await buildWorld(platform, tokens);
    routes = await discoverRoutes(platform);
  });
  afterAll(() => scope.close());

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
      'made to live ten years': await testToken({ role: 'operator', expiresIn: '3650d' }),
      'for another audience': await testToken({ role: 'operator', audience: 'another-api' }),
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
