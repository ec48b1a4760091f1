import * as fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import type { Role } from '@app/auth';
import { siretFor, TestScope, testToken } from '@app/testing';
import type { Answer, Auth, Mutation, Target, WireRequest } from './hostile-requests';
import {
  applyMutations,
  compact,
  describeRequest,
  fixedCases,
  flawOf,
  mutationsFor,
  send,
  targetOf,
} from './hostile-requests';
import type { Platform, ServiceKey } from './platform';
import { caughtUp, startPlatform } from './platform';
import type { Route } from './routes';
import { discoverRoutes, keyOf } from './routes';
import type { World, WorldTokens } from './world';
import { buildWorld, fixtures, worldIdFor } from './world';

/** FUZZ_SEED replays a run (each route draws from its own seed, derived from it and the route). */
const SEED = Number(process.env.FUZZ_SEED ?? 20);
/** Random requests per route, after the fixed catalogue; FUZZ_RUNS=300 for a deeper search. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
/** FUZZ_EXPLORE=1 records every bad answer and goes on, instead of stopping a route at its first (to list them all). */
const EXPLORE = Boolean(process.env.FUZZ_EXPLORE);
/** Only the routes whose "service METHOD /path" matches, e.g. FUZZ_ROUTES='^funding POST'. */
const ONLY = new RegExp(process.env.FUZZ_ROUTES ?? '');
/**
 * A route's random search, shrinking included, stops after this long: a slow route (a booklet's PDF
 * takes seconds) or a slow machine runs fewer cases rather than timing out.
 */
const ROUTE_BUDGET_MS = Math.max(6_000, 250 * RUNS);
const ARTIFACT = join(__dirname, '..', 'artifacts', 'hostile-input.json');
/** FUZZ_TRACE=1 also writes every request's answer beside the artifact. */
const TRACE = Boolean(process.env.FUZZ_TRACE);
const ORG_ROLES: Role[] = ['funder', 'counselor', 'site'];
/** SIRETs drawn for the requests, after the world's. */
let sirets = 90_000;

interface Finding {
  route: string;
  case: string;
  flaw: string;
  request: string;
  correlationId?: string;
}

/**
 * Every route of every service, discovered from the OpenAPI documents, gets
 * a valid-looking request (real ids, a token of a role it allows) and then
 * hostile variants of it: wrong types, missing and extra fields, prototype
 * keys, boundary numbers, control characters, very long strings, impossible
 * dates, deep nesting, oversize and malformed bodies, odd path and query
 * parameters. Whatever the input, the answer is a 2xx or a 4xx problem
 * { statusCode, code, message }, never a 5xx, and the services stay healthy.
 * A failure names the request and its correlation id, which the service's
 * log lines (with the stack of a 500) carry.
 */
describe('hostile input on every route', () => {
  const scope = new TestScope('hostile');
  let platform: Platform;
  let targets: Array<Target & { service: ServiceKey }>;
  const findings: Finding[] = [];
  const trace: string[] = [];

  beforeAll(async () => {
    process.stdout.write(`hostile input: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}\n`);
    platform = await startPlatform(scope, { SETTLEMENT_SCHEDULE_ENABLED: 'false', EXPIRY_JOB_ENABLED: 'false' });
    const tokens = {} as WorldTokens;
    const world = await buildWorld(platform, tokens);
    const routes = (await discoverRoutes(platform)).filter((route) => ONLY.test(keyOf(route)));
    targets = await Promise.all(routes.map(async (route) => targetFor(platform, route, world, tokens)));
  });
  afterAll(async () => {
    mkdirSync(join(ARTIFACT, '..'), { recursive: true });
    if (findings.length > 0) writeFileSync(ARTIFACT, JSON.stringify(findings, null, 2));
    if (TRACE) writeFileSync(ARTIFACT.replace(/\.json$/, '-trace.log'), trace.join('\n'));
    await scope.close();
  });

  const attempt = async (target: Target & { service: ServiceKey }, wired: WireRequest, what: string) => {
    let answer: Answer | undefined;
    let flaw: string | undefined;
    let correlationId: string | undefined;
    const started = Date.now();
    try {
      answer = await send(platform[target.service].url, wired);
      flaw = flawOf(answer);
      correlationId = answer.correlationId;
    } catch (error) {
      flaw = `no answer: ${(error as Error).message}`;
      correlationId = (error as { correlationId?: string }).correlationId;
    }
    if (TRACE)
      trace.push(
        `${correlationId} ${Date.now() - started} ms ${target.key} — ${what}: ${answer?.status} ${answer?.text.slice(0, 300)}`,
      );
    if (!flaw) return undefined;
    const finding = { route: target.key, case: what, flaw, request: describeRequest(wired), correlationId };
    findings.push(finding);
    return finding;
  };
  /** Fails with a line per bad answer; the requests in full are in the artifact, the stacks in the log. */
  const expectNone = (flaws: string[], what: string) => {
    if (flaws.length > 0)
      throw new Error(
        `${flaws.length} ${what} (FUZZ_SEED=${SEED}; requests in ${ARTIFACT}; ` +
          `the service logs the stack under the correlation id):\n${flaws.join('\n')}`,
      );
  };

  it('finds the routes of every service', () => {
    expect(targets.length).toBeGreaterThan(ONLY.source === '(?:)' ? 60 : 0);
  });

  it('answers each route’s fixed hostile variants with a 2xx or a 4xx problem, never a 5xx', async () => {
    const flaws: string[] = [];
    for (const target of targets) {
      for (const wired of fixedCases(target)) {
        const finding = await attempt(target, wired, wired.label);
        if (finding) flaws.push(`${finding.route} — ${finding.case}: ${finding.flaw} (${finding.correlationId})`);
      }
    }
    expectNone(flaws, 'hostile requests were not answered with a 2xx or a 4xx problem');
  }, 900_000);

  it('answers random hostile variants of each route soundly (fast-check)', async () => {
    const flaws: string[] = [];
    for (const target of targets) {
      const details = await fc.check(
        fc.asyncProperty(mutationsFor(target), async (mutations) => {
          const finding = await attempt(target, applyMutations(target, mutations), 'random');
          if (finding && !EXPLORE) throw new Error(`${finding.flaw} (correlation id ${finding.correlationId})`);
        }),
        { seed: seedFor(target.key), numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(ROUTE_BUDGET_MS)] },
      );
      if (details.failed) {
        const [mutations] = details.counterexample as [Mutation[]];
        flaws.push(
          [
            `${target.key}: ${(details.errorInstance as Error).message}`,
            `    ${describeRequest(applyMutations(target, mutations))}`,
            `    counterexample ${fc.stringify(compact(mutations))}`,
            `    seed ${details.seed}, path "${details.counterexamplePath}", ${details.numShrinks} shrinks` +
              ` (replay: FUZZ_SEED=${SEED} FUZZ_ROUTES='^${target.key}$')`,
          ].join('\n'),
        );
      }
    }
    expectNone(flaws, 'routes answered a random hostile request badly');
  }, 900_000);

  it('leaves every service healthy, with no dead letter', async () => {
    await Promise.all([
      caughtUp(platform.reporting, platform.funding, platform.issuance, platform.redemption),
      caughtUp(platform.funding, platform.issuance, platform.redemption),
      caughtUp(platform.issuance, platform.funding, platform.redemption),
      caughtUp(platform.redemption, platform.issuance),
    ]);
    const states = await Promise.all(
      (Object.keys(platform) as ServiceKey[]).map(async (service) => {
        const health = await request(platform[service].url).get('/health');
        return [service, health.status, health.body.status, health.body.info?.consumer?.deadLetters];
      }),
    );
    expect(states).toEqual((Object.keys(platform) as ServiceKey[]).map((service) => [service, 200, 'ok', 0]));
  }, 120_000);
});

/** The route's valid-looking request: the world's ids, the token of its owner (or of another role it allows). */
async function targetFor(
  platform: Platform,
  route: Route,
  world: World,
  tokens: WorldTokens,
): Promise<Target & { service: ServiceKey }> {
  const fixture = fixtures(world)[keyOf(route)];
  const roles = route.roles === 'public' ? ['operator' as Role] : route.roles;
  const owner = fixture?.foreign?.role;
  const primary = owner && roles.includes(owner) ? owner : roles.includes('operator') ? 'operator' : roles[0];
  const otherAuth: Auth[] = roles
    .filter((role) => role !== primary)
    .map((role) => ({ label: role, token: tokens[role] }));
  for (const role of roles.filter((r) => ORG_ROLES.includes(r))) {
    otherAuth.push(
      { label: `${role} of an unknown organisation`, token: await testToken({ role, org: randomUUID() }) },
      { label: `${role} whose organisation is not a UUID`, token: await testToken({ role, org: 'not-a-uuid' }) },
    );
  }
  const params = { ...fixture?.params };
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) params[name] ??= randomUUID();
  return {
    service: route.service,
    ...targetOf(route, {
      url: platform[route.service].url,
      params,
      query: fixture?.query,
      body: fixture?.body,
      auth: { label: primary, token: tokens[primary] },
      otherAuth,
      idFor: (name) => worldIdFor(world, name),
      freshFor: (name) => (name === 'siret' ? () => siretFor(++sirets) : undefined),
    }),
  };
}

/** One seed per route, so that adding a route leaves the others' draws as they were. */
function seedFor(key: string): number {
  let hash = SEED | 0;
  for (const character of key) hash = (Math.imul(hash, 31) + character.charCodeAt(0)) | 0;
  return hash;
}
