// Seeds the benchmark's data set through the services' own APIs, like
// scripts/demo/seed.ts: funders, programs and allocations in funding, agencies
// and booklets in issuance, sites in redemption. Every run makes new
// organisations (random SIRETs), so runs never collide with each other or the demo.
import { randomInt, randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { TokenRequest } from '../../libs/auth/src';
import { isValidSiret } from '../../libs/validation/src';
import { Api, mapConcurrent, until } from './http';
import { cpuBreakdownSince, cpuSnapshot } from './machine';

export interface Urls {
  issuance: string;
  redemption: string;
  funding: string;
  reporting: string;
}

export interface SeededProgram {
  id: string;
  departement: string;
  agencyIds: string[];
  siteIds: string[];
  codes: string[];
}

/** One way of issuing, measured on its own: requests in flight, what came out, how fast, what it cost. */
export interface IssuancePhase {
  route: string;
  requests: number;
  concurrency: number;
  booklets: number;
  passes: number;
  seconds: number;
  passesPerSecond: number;
  failures: number;
  cpuSeconds: Record<string, number>;
  postgresCpuSecondsByDatabase: Record<string, number>;
  /** From the phase's last answer until redemption knows every pass it issued (BookletIssued consumed). */
  redemptionCatchUpSeconds: number;
}

export interface SeedResult {
  programs: SeededProgram[];
  siteTokens: Map<string, string>;
  /** Most passes through bulk orders (POST /booklet-orders), as agencies issue a campaign; a measured share one booklet at a time (POST /booklets). */
  issuance: { booklets: number; passes: number; failures: number; single: IssuancePhase; bulk: IssuancePhase | null };
  /** From the last booklet's answer until redemption knows every pass (BookletIssued consumed). */
  redemptionCatchUpSeconds: number;
}

/** Communes used for the sites: one per département, with a consistent postal and INSEE code. */
export const PLACES: Array<{ departement: string; postalCode: string; inseeCode: string; city: string }> = [
  { departement: '31', postalCode: '31000', inseeCode: '31555', city: 'Toulouse' },
  { departement: '33', postalCode: '33000', inseeCode: '33063', city: 'Bordeaux' },
  { departement: '44', postalCode: '44000', inseeCode: '44109', city: 'Nantes' },
  { departement: '59', postalCode: '59000', inseeCode: '59350', city: 'Lille' },
  { departement: '13', postalCode: '13001', inseeCode: '13201', city: 'Marseille' },
  { departement: '67', postalCode: '67000', inseeCode: '67482', city: 'Strasbourg' },
];
/** Beneficiary profiles as counselors record them, in turn. */
export const PROFILES = [
  { ageBand: '60_74', situation: 'senior', diagnosticLevel: 'no_autonomy' },
  { ageBand: '26_44', situation: 'job_seeker', diagnosticLevel: 'low_autonomy' },
  { situation: 'rsa_recipient', diagnosticLevel: 'partial_autonomy' },
];
const BOOKLET_SIZE = 10;
const FACE_VALUE_CENTS = 1000;

/** A valid SIRET drawn at random, so that runs never collide with each other or the demo. */
export function randomSiret(): string {
  const body = Array.from({ length: 13 }, () => randomInt(10)).join('');
  for (let check = 0; check <= 9; check++) if (isValidSiret(`${body}${check}`)) return `${body}${check}`;
  throw new Error('unreachable');
}

export function parisToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
}

export async function seed(options: {
  urls: Urls;
  token: (request: TokenRequest) => Promise<string>;
  operator: string;
  passes: number;
  programs: number;
  agenciesPerProgram: number;
  sitesPerProgram: number;
  /** Concurrent POST /booklets. */
  concurrency: number;
  /** Booklets issued one at a time (POST /booklets), at most half of all; the rest goes through orders. */
  singleBooklets: number;
  /** Booklets per POST /booklet-orders, and orders in flight. */
  orderSize: number;
  orderConcurrency: number;
  redemptionDb: Client;
  log: (message: string) => void;
}): Promise<SeedResult> {
  const { urls, token, log } = options;
  const funding = new Api(urls.funding, options.operator);
  const issuance = new Api(urls.issuance, options.operator);
  const redemption = new Api(urls.redemption, options.operator);
  const run = Date.now().toString(36);
  const year = Number(parisToday().slice(0, 4));
  const places = PLACES.slice(0, Math.min(options.programs, PLACES.length));
  const bookletsPerAgency = Math.ceil(options.passes / BOOKLET_SIZE / (places.length * options.agenciesPerProgram));

  const state = await funding.call('POST', '/funders', {
    name: `Bench ${run} État`,
    kind: 'state',
    siret: randomSiret(),
  });
  const programs: SeededProgram[] = [];
  for (const place of places) {
    const departement = await funding.call('POST', '/funders', {
      name: `Bench ${run} Département ${place.departement}`,
      kind: 'departement',
      siret: randomSiret(),
    });
    const agencyIds: string[] = [];
    for (let a = 0; a < options.agenciesPerProgram; a++) {
      const agency = await issuance.call('POST', '/agencies', {
        name: `Bench ${run} agence ${place.city} ${a + 1}`,
        kind: a % 2 === 0 ? 'france_travail' : 'ccas',
        departement: place.departement,
        siret: randomSiret(),
      });
      agencyIds.push(agency.id);
    }
    const program = await funding.call('POST', '/programs', {
      name: `Bench ${run} ${place.city}`,
      faceValueCents: FACE_VALUE_CENTS,
      bookletSize: BOOKLET_SIZE,
      validFrom: `${year}-01-01`,
      validUntil: `${year + 1}-12-31`,
      toleranceDays: 31,
      territory: [place.departement],
      fundingLines: [
        { funderId: state.id, shareBasisPoints: 5000 },
        { funderId: departement.id, shareBasisPoints: 5000 },
      ],
      budgetCents: bookletsPerAgency * BOOKLET_SIZE * FACE_VALUE_CENTS * options.agenciesPerProgram,
    });
    programs.push({ id: program.id, departement: place.departement, agencyIds, siteIds: [], codes: [] });
  }
  log(`funders, ${programs.length} programs and ${programs.length * options.agenciesPerProgram} agencies created`);

  await until(
    'funding to learn the agencies (AgencyRegistered)',
    async () => {
      const known = await funding.call<Array<{ id: string }>>('GET', '/agencies');
      const ids = new Set(known.map((k) => k.id));
      return programs.every((p) => p.agencyIds.every((id) => ids.has(id)));
    },
    60_000,
  );
  for (const program of programs) {
    for (const agencyId of program.agencyIds) {
      await funding.call('POST', `/programs/${program.id}/allocations`, {
        agencyId,
        amountCents: bookletsPerAgency * BOOKLET_SIZE * FACE_VALUE_CENTS,
      });
    }
  }

  const siteTokens = new Map<string, string>();
  for (const [index, program] of programs.entries()) {
    const place = places[index];
    for (let s = 0; s < options.sitesPerProgram; s++) {
      const site = await redemption.call('POST', '/sites', {
        name: `Bench ${run} espace numérique ${place.city} ${s + 1}`,
        siret: randomSiret(),
        address: `${s + 1} rue de la République`,
        postalCode: place.postalCode,
        inseeCode: place.inseeCode,
        contactEmail: `site${s + 1}@bench.example.fr`,
        iban: 'FR7630006000011234567890189',
        bic: 'AGRIFRPP882',
        labels: ['france_services'],
      });
      await redemption.call('POST', `/sites/${site.id}/accreditation`, {
        validUntil: `${year + 1}-12-31`,
        reason: 'Banc de mesure',
      });
      program.siteIds.push(site.id);
      siteTokens.set(site.id, await token({ role: 'site', org: site.id, subject: `bench-site-${s + 1}` }));
    }
  }
  log(`${programs.length * options.sitesPerProgram} sites registered and accredited`);

  // One counselor per agency; each issues its share of the booklets.
  const counselors = new Map<string, Api>();
  for (const program of programs) {
    for (const agencyId of program.agencyIds) {
      const counselor = new Api(
        urls.issuance,
        await token({ role: 'counselor', org: agencyId, subject: `bench-counselor-${agencyId.slice(0, 8)}` }),
      );
      counselors.set(agencyId, counselor);
      await until(
        'issuance to receive the allocation (AllocationGranted)',
        async () => {
          const allocations = await counselor.call<Array<{ programId: string; remainingBooklets: number }>>(
            'GET',
            '/allocations',
          );
          return allocations.some((a) => a.programId === program.id && a.remainingBooklets >= bookletsPerAgency);
        },
        60_000,
      );
    }
  }

  // Booklet requests interleave programs and agencies, as counselors all over the country would:
  // first a measured share one booklet at a time, then the rest in campaign orders.
  const agencies = programs.flatMap((program) => program.agencyIds.map((agencyId) => ({ program, agencyId })));
  const singleBooklets = Math.min(options.singleBooklets, Math.floor((bookletsPerAgency * agencies.length) / 2));
  const singles = Array.from({ length: singleBooklets }, (_, i) => ({
    ...agencies[i % agencies.length],
    profile: PROFILES[i % PROFILES.length],
  }));
  const orders: Array<{ program: SeededProgram; agencyId: string; beneficiaries: Array<(typeof PROFILES)[number]> }> =
    [];
  const left = new Map(
    agencies.map(({ agencyId }, i) => [
      agencyId,
      bookletsPerAgency - Math.floor(singleBooklets / agencies.length) - (i < singleBooklets % agencies.length ? 1 : 0),
    ]),
  );
  for (let more = true; more;) {
    more = false;
    for (const { program, agencyId } of agencies) {
      const size = Math.min(options.orderSize, left.get(agencyId)!);
      if (size <= 0) continue;
      left.set(agencyId, left.get(agencyId)! - size);
      orders.push({
        program,
        agencyId,
        beneficiaries: Array.from({ length: size }, (_, i) => PROFILES[i % PROFILES.length]),
      });
      more = true;
    }
  }

  const phase = async <R>(
    route: string,
    requests: R[],
    concurrency: number,
    issue: (request: R) => Promise<Array<{ passes: Array<{ code: string }> }>>,
    programOf: (request: R) => SeededProgram,
  ) => {
    log(`${route}: ${requests.length} requests, ${concurrency} at a time`);
    let failures = 0;
    let booklets = 0;
    let passes = 0;
    const started = performance.now();
    const cpuBefore = cpuSnapshot();
    await mapConcurrent(requests, concurrency, async (request) => {
      try {
        for (const booklet of await issue(request)) {
          booklets += 1;
          for (const pass of booklet.passes) programOf(request).codes.push(pass.code);
          passes += booklet.passes.length;
        }
      } catch (error) {
        failures += 1;
        if (failures <= 5) log(`${route} failed: ${(error as Error).message}`);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const { components: cpuSeconds, postgresByDatabase: postgresCpuSecondsByDatabase } = cpuBreakdownSince(cpuBefore);
    log(
      `${route}: issued ${passes} passes in ${booklets} booklets in ${seconds.toFixed(1)} s (${(passes / seconds).toFixed(0)} passes/s, ${failures} failed requests)`,
    );
    // Read-only: how long until redemption has recorded every pass issued so far from BookletIssued.
    const catchUpStart = performance.now();
    const expected = programs.reduce((sum, p) => sum + p.codes.length, 0);
    await until(
      'redemption to know every issued pass',
      async () => {
        const { rows } = await options.redemptionDb.query(
          'SELECT count(*)::int AS n FROM passes WHERE program_id = ANY($1::uuid[])',
          [programs.map((p) => p.id)],
        );
        return rows[0].n >= expected;
      },
      Math.max(120_000, expected * 5),
      500,
    );
    const redemptionCatchUpSeconds = (performance.now() - catchUpStart) / 1000;
    log(`redemption knew every pass ${redemptionCatchUpSeconds.toFixed(1)} s after the last answer`);
    return {
      route,
      requests: requests.length,
      concurrency,
      booklets,
      passes,
      seconds,
      passesPerSecond: passes / seconds,
      failures,
      cpuSeconds,
      postgresCpuSecondsByDatabase,
      redemptionCatchUpSeconds,
    } satisfies IssuancePhase;
  };

  const single = await phase(
    'POST /booklets',
    singles,
    options.concurrency,
    async ({ program, agencyId, profile }) => [
      await counselors.get(agencyId)!.call('POST', '/booklets', { programId: program.id, beneficiary: profile }),
    ],
    (request) => request.program,
  );
  const bulk =
    orders.length === 0
      ? null
      : await phase(
          'POST /booklet-orders',
          orders,
          options.orderConcurrency,
          async ({ program, agencyId, beneficiaries }) =>
            (
              await counselors
                .get(agencyId)!
                .call(
                  'POST',
                  '/booklet-orders',
                  { programId: program.id, beneficiaries },
                  { 'idempotency-key': randomUUID() },
                )
            ).booklets,
          (request) => request.program,
        );
  const last = bulk ?? single;

  return {
    programs,
    siteTokens,
    issuance: {
      booklets: single.booklets + (bulk?.booklets ?? 0),
      passes: single.passes + (bulk?.passes ?? 0),
      failures: single.failures + (bulk?.failures ?? 0),
      single,
      bulk,
    },
    redemptionCatchUpSeconds: last.redemptionCatchUpSeconds,
  };
}
