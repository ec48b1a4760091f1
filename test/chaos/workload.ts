// The chaos soak's mixed workload, through the public APIs only: it seeds
// funders, programs, agencies, sites and a stock of booklets, then keeps a
// modest mix of redemptions, issuance, cancellations, voids, site decisions,
// allocations, expiry and settlement runs going while faults are injected.
// Every request becomes a RequestRecord; every 2xx becomes an acknowledgement
// the invariants are checked against; a request whose answer never came is
// kept apart as uncertain, never counted as done nor as lost.
import { randomUUID } from 'node:crypto';
import type { TokenRequest } from '../../libs/auth/src';
import { addDays, parisDay } from '../../libs/calendar/src';
import { PLACES as BENCH_PLACES, PROFILES, randomSiret } from '../../bench/lib/seed';
import type { Acknowledgements, AcknowledgedRedemption, Endpoints, Outcome, RequestRecord, ServiceName } from './model';

export interface WorkloadOptions {
  /** Two base URLs per service; each request goes to one at random (a client-side balancer). */
  endpoints: Endpoints;
  token: (request: TokenRequest) => Promise<string>;
  /** Seeded PRNG in [0, 1): every choice of the schedule comes from it. Identifiers (SIRETs, keys) do not. */
  random: () => number;
  log: (message: string) => void;
  /** Requests hanging longer (a paused instance) are aborted and recorded as 'timeout'. Default 5000. */
  requestTimeoutMs?: number;
}

export interface RunOptions {
  until: () => boolean;
  onRecord?: (record: RequestRecord) => void;
  /** Operations started per second (a redemption retried or contested is two requests). Default 20. */
  operationsPerSecond?: number;
  /** Operations in flight at most. Default 8. */
  maxInFlight?: number;
  /** When the settlement run of the current month starts, from the start of the load. Default 90 s. */
  settlementAfterMs?: number;
}

/** Where the workload stands: what it created, what it may still redeem, and what it was told. */
export interface WorkloadState {
  programs: ProgramState[];
  /** Booklets with passes not yet redeemed (as far as the workload knows). */
  stock: StockBooklet[];
  /** Recent acknowledged redemptions, candidates for a cancellation. */
  recent: RecentRedemption[];
  /** Booklets answered before this instant are known to redemption (issuance outbox and redemption lag seen empty). */
  knownBefore: number;
  settlement: { started: boolean; runId?: string };
  acks: Required<Acknowledgements>;
  ackedRedemptionIds: Set<string>;
  records: RequestRecord[];
  tokens: Map<string, { token: Promise<string>; mintedAt: number }>;
  onRecord?: (record: RequestRecord) => void;
}

interface ProgramState {
  id: string;
  departement: string;
  shortLived: boolean;
  agencies: AgencyState[];
  sites: SiteState[];
}

interface AgencyState {
  id: string;
  programId: string;
  /** Allocated just above what the seed issues: its issuance keeps meeting ALLOCATION_EXHAUSTED. */
  tight: boolean;
}

interface SiteState {
  id: string;
  /** 'maybe' when a suspension or reinstatement got no answer: redemptions avoid it until a reinstatement settles it. */
  suspended: 'no' | 'yes' | 'maybe';
  suspendedAt: number;
  /** A 403 or 429 the workload did not cause: left alone until then. */
  avoidUntil: number;
}

interface StockPass {
  passId: string;
  code: string;
  /** When the booklet was answered, or when redemption last said it did not know the pass. */
  issuedAt: number;
  unknownCount: number;
}

interface StockBooklet {
  id: string;
  program: ProgramState;
  agencyId: string;
  passes: StockPass[];
}

interface RecentRedemption {
  ack: AcknowledgedRedemption;
  booklet: StockBooklet;
  passes: StockPass[];
}

interface Answer {
  outcome: Outcome;
  body?: unknown;
  code?: string;
}

interface Context {
  state: WorkloadState;
  options: WorkloadOptions;
}

interface Problem {
  code?: string;
  details?: { codes?: Array<{ position: number; code: string }>; retryAt?: string; period?: string };
}

interface IssuedBooklet {
  id: string;
  programId: string;
  agencyId: string;
  totalCents: number;
  passes: Array<{ id: string; code: string; amountCents: number }>;
}

interface RedemptionView {
  redemptionId: string;
  siteId: string;
  totalCents: number;
}

const FACE_VALUE_CENTS = 1000;
const BOOKLET_SIZE = 10;
const BOOKLET_CENTS = FACE_VALUE_CENTS * BOOKLET_SIZE;
/** Three programs' territories, then the short-lived program's own. */
const PLACES = BENCH_PLACES.slice(0, 4);
/** Sized for ~10 minutes of issuance at the default rate without running out (the tight agency aside). */
const SIZING = {
  programBudgetCents: 10_000_000,
  shortLivedBudgetCents: 3_000_000,
  agencyBooklets: 300,
  shortLivedAgencyBooklets: 100,
  tightAgencyBooklets: 12,
  seedBooklets: 20,
  seedShortLivedBooklets: 5,
  seedTightBooklets: 10,
  topUpBooklets: 20,
  tightTopUpBooklets: 2,
  budgetIncreaseCents: 500_000,
};
/** Unredeemed passes kept at most: issuance pauses above it (memory stays bounded). */
const STOCK_CAP = 3000;
const RECENT_CAP = 200;
/** A pass this old is tried even if the pipeline was never seen drained since. */
const READY_FALLBACK_MS = 90_000;
const TOKEN_RENEWAL_MS = 30 * 60_000;
const SEED_DEADLINE_MS = 180_000;
const TERMINAL_REFUSALS = new Set(['PASS_ALREADY_REDEEMED', 'PASS_VOIDED', 'PASS_EXPIRED']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isSuccess = (outcome: Outcome) => typeof outcome === 'number' && outcome >= 200 && outcome < 300;
/** No answer the client can use: a client sends again. */
const isUnanswered = (outcome: Outcome) => typeof outcome !== 'number' || outcome >= 500;
/** Unanswered, and possibly done: only a refused connection proves the request never reached a server. */
const mayHaveHappened = (outcome: Outcome) => isUnanswered(outcome) && outcome !== 'refused';
const codeOf = (answer: Answer) => answer.code;

// ——— Random choices (the seeded PRNG only) ———

function chance(ctx: Context, probability: number): boolean {
  return ctx.options.random() < probability;
}

function between(ctx: Context, min: number, max: number): number {
  return min + Math.floor(ctx.options.random() * (max - min + 1));
}

function pick<T>(ctx: Context, items: readonly T[]): T {
  return items[Math.floor(ctx.options.random() * items.length)];
}

function weighted<T>(ctx: Context, entries: Array<[T, number]>): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = ctx.options.random() * total;
  for (const [value, weight] of entries) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return entries[entries.length - 1][0];
}

// ——— HTTP: one request, one record ———

async function tokenFor(ctx: Context, request: TokenRequest): Promise<string> {
  const key = `${request.role}:${request.org ?? ''}`;
  const cached = ctx.state.tokens.get(key);
  if (cached && Date.now() - cached.mintedAt < TOKEN_RENEWAL_MS) return cached.token;
  const token = ctx.options.token({
    subject: `chaos-${request.role}-${(request.org ?? 'all').slice(0, 8)}`,
    ...request,
  });
  ctx.state.tokens.set(key, { token, mintedAt: Date.now() });
  return token;
}

function transportOutcome(error: unknown): Outcome {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED')
    return 'reset';
  return 'other';
}

function record(ctx: Context, entry: RequestRecord): void {
  ctx.state.records.push(entry);
  ctx.state.onRecord?.(entry);
}

interface CallOptions {
  as: TokenRequest;
  body?: unknown;
  headers?: Record<string, string>;
  /** The client goes away after this many ms (a disconnect mid-request): recorded as 'aborted'. */
  abortAfterMs?: number;
}

/** Sends one request to one instance of the service, records it, and never throws. */
async function call(
  ctx: Context,
  kind: string,
  service: ServiceName,
  method: string,
  path: string,
  options: CallOptions,
): Promise<Answer> {
  const base = pick(ctx, ctx.options.endpoints[service]);
  const controller = new AbortController();
  let cutBy: 'timeout' | 'aborted' | null = null;
  const cut = (reason: 'timeout' | 'aborted') => () => {
    cutBy = reason;
    controller.abort();
  };
  const timeout = setTimeout(cut('timeout'), ctx.options.requestTimeoutMs ?? 5000);
  const abort = options.abortAfterMs === undefined ? null : setTimeout(cut('aborted'), options.abortAfterMs);
  let answer: Answer;
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${await tokenFor(ctx, options.as)}`,
        'content-type': 'application/json',
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const body = parseJson(text);
    answer = { outcome: response.status, body };
    if (response.status >= 400) answer.code = (body as Problem | undefined)?.code;
  } catch (error) {
    answer = { outcome: cutBy ?? transportOutcome(error) };
  } finally {
    clearTimeout(timeout);
    if (abort) clearTimeout(abort);
  }
  record(ctx, { kind, outcome: answer.outcome, ...(answer.code ? { code: answer.code } : {}), at: Date.now() });
  return answer;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * For the seed, before any fault: sends again on transport failures, 5xx and
 * the refusals `waitFor` names (something another service has not learnt yet)
 * until a 2xx; any other refusal is a bug of the seed and stops it.
 */
async function insist<T>(
  ctx: Context,
  kind: string,
  service: ServiceName,
  method: string,
  path: string,
  options: CallOptions & { waitFor?: string[] },
): Promise<T> {
  const deadline = Date.now() + SEED_DEADLINE_MS;
  for (let attempt = 1; ; attempt++) {
    const answer = await call(ctx, kind, service, method, path, options);
    if (isSuccess(answer.outcome)) return answer.body as T;
    const transient = isUnanswered(answer.outcome) || (answer.code && options.waitFor?.includes(answer.code));
    if (!transient || Date.now() > deadline)
      throw new Error(`${kind}: ${method} ${path} → ${answer.outcome} ${JSON.stringify(answer.body)?.slice(0, 300)}`);
    await sleep(Math.min(250 * attempt, 2000));
  }
}

// ——— Seed ———

const OPERATOR: TokenRequest = { role: 'operator', subject: 'chaos-operator' };

function emptyAcknowledgements(): Required<Acknowledgements> {
  return {
    programs: [],
    allocations: [],
    agencies: [],
    sites: [],
    booklets: [],
    redemptions: [],
    cancelledRedemptions: [],
    voidRequests: [],
    settlementRuns: [],
    expiryRuns: [],
    paidSettlementRuns: [],
    uncertainRedemptions: [],
    uncertainAllocations: [],
    uncertainBudgetIncreases: [],
    uncertainCancellations: [],
  };
}

/**
 * Seeds through the APIs, sending again while instances are still starting:
 * two funders, three programs and a short-lived one (valid until today, no
 * tolerance: the expiry runs take its passes while they are being redeemed),
 * two agencies and three accredited sites each, allocations (one agency kept
 * close to its allocation), and a stock of booklets redemption already knows.
 */
export async function seedWorkload(options: WorkloadOptions): Promise<WorkloadState> {
  const state: WorkloadState = {
    programs: [],
    stock: [],
    recent: [],
    knownBefore: 0,
    settlement: { started: false },
    acks: emptyAcknowledgements(),
    ackedRedemptionIds: new Set(),
    records: [],
    tokens: new Map(),
  };
  const ctx: Context = { state, options };
  const run = Date.now().toString(36);
  const today = parisDay(new Date());
  const funders = await seedFunders(ctx, run);
  for (const [index, place] of PLACES.entries())
    state.programs.push(await seedProgram(ctx, run, place, index === PLACES.length - 1, funders, today));
  options.log(`workload: ${state.programs.length} programs and ${state.acks.agencies.length} agencies created`);

  await waitForFundingAgencies(ctx);
  for (const program of state.programs) await seedAllocations(ctx, program);
  for (const [index, program] of state.programs.entries()) await seedSites(ctx, run, program, PLACES[index], today);
  options.log(`workload: allocations granted, ${state.acks.sites.length} sites accredited`);

  for (const program of state.programs)
    for (const agency of program.agencies) await seedStock(ctx, program, agency, seedBookletsOf(program, agency));
  const issuedBy = Date.now();
  options.log(`workload: ${stockedPasses(state)} passes issued; waiting for redemption to know them`);
  const deadline = Date.now() + SEED_DEADLINE_MS;
  while (state.knownBefore < issuedBy) {
    if (Date.now() > deadline) throw new Error('workload seed: redemption never caught up with the seeded booklets');
    await probeKnownPasses(ctx);
    if (state.knownBefore < issuedBy) await sleep(500);
  }
  options.log('workload: seeded');
  return state;
}

async function seedFunders(ctx: Context, run: string): Promise<{ state: string; departement: string }> {
  const funder = (name: string, kind: string) =>
    insist<{ id: string }>(ctx, 'seed-funder', 'funding', 'POST', '/funders', {
      as: OPERATOR,
      body: { name, kind, siret: randomSiret() },
    });
  const state = await funder(`Chaos ${run} État`, 'state');
  const departement = await funder(`Chaos ${run} Département`, 'departement');
  return { state: state.id, departement: departement.id };
}

async function seedProgram(
  ctx: Context,
  run: string,
  place: (typeof PLACES)[number],
  shortLived: boolean,
  funders: { state: string; departement: string },
  today: string,
): Promise<ProgramState> {
  const budgetCents = shortLived ? SIZING.shortLivedBudgetCents : SIZING.programBudgetCents;
  const program = await insist<{ id: string }>(ctx, 'seed-program', 'funding', 'POST', '/programs', {
    as: OPERATOR,
    body: {
      name: `Chaos ${run} ${place.city}${shortLived ? ' (court)' : ''}`,
      faceValueCents: FACE_VALUE_CENTS,
      bookletSize: BOOKLET_SIZE,
      validFrom: `${today.slice(0, 4)}-01-01`,
      validUntil: shortLived ? today : addDays(today, 366),
      toleranceDays: shortLived ? 0 : 31,
      territory: [place.departement],
      fundingLines: [
        { funderId: funders.state, shareBasisPoints: 5000 },
        { funderId: funders.departement, shareBasisPoints: 5000 },
      ],
      budgetCents,
    },
  });
  ctx.state.acks.programs.push({ id: program.id, budgetCents, departement: place.departement, shortLived });
  const state: ProgramState = { id: program.id, departement: place.departement, shortLived, agencies: [], sites: [] };
  for (let a = 0; a < 2; a++) {
    const agency = await insist<{ id: string }>(ctx, 'seed-agency', 'issuance', 'POST', '/agencies', {
      as: OPERATOR,
      body: {
        name: `Chaos ${run} agence ${place.city} ${a + 1}`,
        kind: a % 2 === 0 ? 'france_travail' : 'ccas',
        departement: place.departement,
        siret: randomSiret(),
      },
    });
    ctx.state.acks.agencies.push(agency.id);
    // The first program's second agency is the one kept at the edge of its allocation.
    state.agencies.push({ id: agency.id, programId: program.id, tight: ctx.state.programs.length === 0 && a === 1 });
  }
  return state;
}

async function waitForFundingAgencies(ctx: Context): Promise<void> {
  const expected = ctx.state.acks.agencies;
  const deadline = Date.now() + SEED_DEADLINE_MS;
  for (;;) {
    const known = await insist<Array<{ id: string }>>(ctx, 'seed-read', 'funding', 'GET', '/agencies', {
      as: OPERATOR,
    });
    const ids = new Set(known.map((agency) => agency.id));
    if (expected.every((id) => ids.has(id))) return;
    if (Date.now() > deadline) throw new Error('workload seed: funding never learnt the agencies');
    await sleep(500);
  }
}

function allocatedBooklets(program: ProgramState, agency: AgencyState): number {
  if (agency.tight) return SIZING.tightAgencyBooklets;
  return program.shortLived ? SIZING.shortLivedAgencyBooklets : SIZING.agencyBooklets;
}

function seedBookletsOf(program: ProgramState, agency: AgencyState): number {
  if (agency.tight) return SIZING.seedTightBooklets;
  return program.shortLived ? SIZING.seedShortLivedBooklets : SIZING.seedBooklets;
}

async function seedAllocations(ctx: Context, program: ProgramState): Promise<void> {
  for (const agency of program.agencies) {
    const amountCents = allocatedBooklets(program, agency) * BOOKLET_CENTS;
    await insist(ctx, 'seed-allocate', 'funding', 'POST', `/programs/${program.id}/allocations`, {
      as: OPERATOR,
      body: { agencyId: agency.id, amountCents },
      waitFor: ['AGENCY_NOT_FOUND'],
    });
    ctx.state.acks.allocations.push({ programId: program.id, agencyId: agency.id, amountCents });
  }
}

async function seedSites(
  ctx: Context,
  run: string,
  program: ProgramState,
  place: (typeof PLACES)[number],
  today: string,
): Promise<void> {
  for (let s = 0; s < 3; s++) {
    const site = await insist<{ id: string }>(ctx, 'seed-site', 'redemption', 'POST', '/sites', {
      as: OPERATOR,
      body: {
        name: `Chaos ${run} espace numérique ${place.city} ${s + 1}`,
        siret: randomSiret(),
        address: `${s + 1} rue de la République`,
        postalCode: place.postalCode,
        inseeCode: place.inseeCode,
        contactEmail: `site${s + 1}@chaos.example.fr`,
        iban: 'FR7630006000011234567890189',
        bic: 'AGRIFRPP882',
        labels: ['france_services'],
      },
    });
    await insist(ctx, 'seed-accredit', 'redemption', 'POST', `/sites/${site.id}/accreditation`, {
      as: OPERATOR,
      body: { validUntil: addDays(today, 730), reason: 'Soak de chaos' },
    });
    ctx.state.acks.sites.push(site.id);
    program.sites.push({ id: site.id, suspended: 'no', suspendedAt: 0, avoidUntil: 0 });
  }
}

/** One order per agency, sent again with its key until answered, once issuance has the allocation. */
async function seedStock(ctx: Context, program: ProgramState, agency: AgencyState, booklets: number): Promise<void> {
  const key = randomUUID();
  const order = await insist<{ booklets: IssuedBooklet[] }>(ctx, 'seed-order', 'issuance', 'POST', '/booklet-orders', {
    as: counselorOf(agency),
    headers: { 'idempotency-key': key },
    body: { programId: program.id, beneficiaries: Array.from({ length: booklets }, (_, i) => PROFILES[i % 3]) },
    waitFor: ['NO_ALLOCATION', 'PROGRAM_NOT_FOUND', 'ALLOCATION_EXHAUSTED'],
  });
  for (const booklet of order.booklets) stockBooklet(ctx, program, booklet);
}

// ——— Stock of unredeemed passes ———

function stockedPasses(state: WorkloadState): number {
  return state.stock.reduce((sum, booklet) => sum + booklet.passes.length, 0);
}

function stockBooklet(ctx: Context, program: ProgramState, booklet: IssuedBooklet): void {
  const issuedAt = Date.now();
  ctx.state.acks.booklets.push({
    bookletId: booklet.id,
    programId: booklet.programId,
    agencyId: booklet.agencyId,
    passCount: booklet.passes.length,
    amountCents: booklet.totalCents,
  });
  ctx.state.stock.push({
    id: booklet.id,
    program,
    agencyId: booklet.agencyId,
    passes: booklet.passes.map((pass) => ({ passId: pass.id, code: pass.code, issuedAt, unknownCount: 0 })),
  });
}

function isReady(state: WorkloadState, pass: StockPass, now: number): boolean {
  return pass.issuedAt < state.knownBefore || now - pass.issuedAt > READY_FALLBACK_MS;
}

/** Takes `count` passes redemption knows from one booklet, or nothing. */
function takePasses(ctx: Context, count: number): { booklet: StockBooklet; passes: StockPass[] } | null {
  const now = Date.now();
  const candidates = ctx.state.stock.filter(
    (booklet) => booklet.passes.filter((pass) => isReady(ctx.state, pass, now)).length >= count,
  );
  if (candidates.length === 0) return null;
  const booklet = pick(ctx, candidates);
  const passes = booklet.passes.filter((pass) => isReady(ctx.state, pass, now)).slice(0, count);
  removePasses(ctx.state, booklet, passes);
  return { booklet, passes };
}

/** Takes any one pass (known to redemption or not), for a void request. */
function takeAnyPass(ctx: Context): { booklet: StockBooklet; passes: StockPass[] } | null {
  if (ctx.state.stock.length === 0) return null;
  const booklet = pick(ctx, ctx.state.stock);
  const passes = [pick(ctx, booklet.passes)];
  removePasses(ctx.state, booklet, passes);
  return { booklet, passes };
}

function removePasses(state: WorkloadState, booklet: StockBooklet, passes: StockPass[]): void {
  booklet.passes = booklet.passes.filter((pass) => !passes.includes(pass));
  if (booklet.passes.length === 0) state.stock = state.stock.filter((entry) => entry !== booklet);
}

function returnPasses(state: WorkloadState, booklet: StockBooklet, passes: StockPass[]): void {
  if (passes.length === 0) return;
  if (booklet.passes.length === 0) state.stock.push(booklet);
  booklet.passes.push(...passes);
}

/**
 * Redemption learns passes from BookletIssued, asynchronously: a code tried
 * too early is a PASS_UNKNOWN, counted as a guess. Once issuance's outbox is
 * seen empty and then redemption's lag on its topic is zero, every booklet
 * answered before the probe started is known.
 */
async function probeKnownPasses(ctx: Context): Promise<void> {
  const startedAt = Date.now();
  const issuance = await health(ctx, 'issuance');
  if (issuance?.outbox?.backlog !== 0) return;
  const redemption = await health(ctx, 'redemption');
  if (redemption?.consumer?.lag?.['pass.issuance.events'] !== 0) return;
  ctx.state.knownBefore = Math.max(ctx.state.knownBefore, startedAt);
}

interface HealthDetails {
  outbox?: { backlog?: number };
  consumer?: { lag?: Record<string, number> };
}

/** Health of one instance, then the other: not a workload request, so not recorded. */
async function health(ctx: Context, service: ServiceName): Promise<HealthDetails | undefined> {
  const bases = ctx.options.endpoints[service];
  const first = Math.floor(ctx.options.random() * bases.length);
  for (let i = 0; i < bases.length; i++) {
    try {
      const response = await fetch(`${bases[(first + i) % bases.length]}/health`, {
        signal: AbortSignal.timeout(ctx.options.requestTimeoutMs ?? 5000),
      });
      const body = (await response.json()) as { details?: HealthDetails };
      if (body.details) return body.details;
    } catch {
      // The other instance may answer.
    }
  }
  return undefined;
}

// ——— Tokens of the actors ———

const counselorOf = (agency: { id: string }): TokenRequest => ({ role: 'counselor', org: agency.id });
const staffOf = (siteId: string): TokenRequest => ({ role: 'site', org: siteId });

function usableSites(program: ProgramState, now = Date.now()): SiteState[] {
  return program.sites.filter((site) => site.suspended === 'no' && site.avoidUntil <= now);
}

/** Passes of one booklet and the usable sites of their program (at least `sitesNeeded`); else the passes go back to the stock. */
function takeForRedemption(
  ctx: Context,
  count: number,
  sitesNeeded = 1,
): { booklet: StockBooklet; passes: StockPass[]; sites: SiteState[] } | null {
  const taken = takePasses(ctx, count);
  if (!taken) return null;
  const sites = usableSites(taken.booklet.program);
  if (sites.length >= sitesNeeded) return { ...taken, sites };
  returnPasses(ctx.state, taken.booklet, taken.passes);
  return null;
}

// ——— Redemptions ———

/**
 * Applies what the answers to requests for the same passes say: each 2xx is
 * acknowledged once (by redemption id); passes nobody redeemed go back to the
 * stock, except those refused for good; a PASS_UNKNOWN waits for the next drain.
 */
function settlePasses(
  ctx: Context,
  booklet: StockBooklet,
  passes: StockPass[],
  sent: Array<{ answer: Answer; siteId: string; key: string; kind: string }>,
): void {
  for (const { answer, siteId, key } of sent)
    if (isSuccess(answer.outcome)) acknowledge(ctx, answer.body as RedemptionView, booklet, passes, siteId, key);
  if (sent.some(({ answer }) => isSuccess(answer.outcome))) return;

  for (const { answer, siteId, key, kind } of sent) {
    if (mayHaveHappened(answer.outcome)) noteUncertain(ctx, kind, answer, siteId, booklet, passes, key);
    else avoidSiteIfRefused(ctx, booklet.program, siteId, answer);
  }
  const fates = passes.map((_, position) => fateOf(sent, position));
  const unknown = passes.filter((pass, position) => fates[position] === 'unknown');
  for (const pass of unknown) {
    pass.unknownCount += 1;
    pass.issuedAt = Date.now();
  }
  // A pass redemption still does not know after three tries was lost to a dead letter: the checker will say.
  const kept = passes.filter(
    (pass, position) => fates[position] === 'keep' || (fates[position] === 'unknown' && pass.unknownCount < 3),
  );
  returnPasses(ctx.state, booklet, kept);
}

function noteUncertain(
  ctx: Context,
  kind: string,
  answer: Answer,
  siteId: string,
  booklet: StockBooklet,
  passes: StockPass[],
  idempotencyKey: string,
): void {
  ctx.state.acks.uncertainRedemptions.push({
    kind,
    outcome: answer.outcome,
    siteId,
    programId: booklet.program.id,
    codes: passes.map((pass) => pass.code),
    idempotencyKey,
    at: Date.now(),
  });
}

/** Whether a pass refused by every answer is gone for good, unknown to redemption yet, or still usable. */
function fateOf(sent: Array<{ answer: Answer }>, position: number): 'gone' | 'unknown' | 'keep' {
  let fate: 'gone' | 'unknown' | 'keep' = 'keep';
  for (const { answer } of sent) {
    const refusals = (answer.body as Problem | undefined)?.details?.codes ?? [];
    const refusal = refusals.find((entry) => entry.position === position)?.code;
    if (refusal && TERMINAL_REFUSALS.has(refusal)) return 'gone';
    if (refusal === 'PASS_UNKNOWN') fate = 'unknown';
  }
  return fate;
}

function avoidSiteIfRefused(ctx: Context, program: ProgramState, siteId: string, answer: Answer): void {
  const site = program.sites.find((entry) => entry.id === siteId);
  if (!site) return;
  if (answer.outcome === 429) {
    const retryAt = Date.parse((answer.body as Problem | undefined)?.details?.retryAt ?? '');
    site.avoidUntil = Number.isNaN(retryAt) ? Date.now() + 60_000 : retryAt;
  } else if (answer.outcome === 403 && site.suspended === 'no') site.avoidUntil = Date.now() + 10_000;
}

function acknowledge(
  ctx: Context,
  view: RedemptionView,
  booklet: StockBooklet,
  passes: StockPass[],
  siteId: string,
  idempotencyKey: string,
): void {
  if (ctx.state.ackedRedemptionIds.has(view.redemptionId)) return;
  ctx.state.ackedRedemptionIds.add(view.redemptionId);
  const ack: AcknowledgedRedemption = {
    redemptionId: view.redemptionId,
    siteId: view.siteId ?? siteId,
    programId: booklet.program.id,
    codes: passes.map((pass) => pass.code),
    amountCents: view.totalCents,
    idempotencyKey,
    acknowledgedAt: Date.now(),
  };
  ctx.state.acks.redemptions.push(ack);
  ctx.state.recent.push({ ack, booklet, passes });
  if (ctx.state.recent.length > RECENT_CAP) ctx.state.recent.shift();
}

function redeemRequest(
  ctx: Context,
  kind: string,
  siteId: string,
  passes: StockPass[],
  key: string,
  abortAfterMs?: number,
) {
  return call(ctx, kind, 'redemption', 'POST', '/redemptions', {
    as: staffOf(siteId),
    headers: { 'idempotency-key': key },
    body: { codes: passes.map((pass) => pass.code) },
    abortAfterMs,
  });
}

/**
 * A client that gets no answer sends the same request again, with the same
 * key: at most twice more. Still unanswered, the answer kept is one that may
 * have redeemed, if any did.
 */
async function redeemResending(ctx: Context, kind: string, siteId: string, passes: StockPass[], key: string) {
  let answer = await redeemRequest(ctx, kind, siteId, passes, key);
  let possiblyDone = mayHaveHappened(answer.outcome) ? answer : undefined;
  for (let resend = 1; resend <= 2 && isUnanswered(answer.outcome); resend++) {
    await sleep(400 * resend);
    answer = await redeemRequest(ctx, 'redeem-resend', siteId, passes, key);
    if (mayHaveHappened(answer.outcome)) possiblyDone = answer;
  }
  return isUnanswered(answer.outcome) && possiblyDone ? possiblyDone : answer;
}

/** One to three passes of one booklet at one site; now and then at a suspended site, which must refuse. */
async function redeem(ctx: Context, count: number): Promise<void> {
  const taken = takePasses(ctx, count);
  if (!taken) return issueBooklet(ctx);
  const { booklet, passes } = taken;
  const atSuspended = booklet.program.sites.filter((site) => site.suspended === 'yes');
  const toSuspended = atSuspended.length > 0 && chance(ctx, 0.15);
  const sites = toSuspended ? atSuspended : usableSites(booklet.program);
  if (sites.length === 0) return returnPasses(ctx.state, booklet, passes);
  const site = pick(ctx, sites);
  const kind = toSuspended ? 'redeem-at-suspended-site' : count > 1 ? 'redeem-multi' : 'redeem';
  const key = randomUUID();
  const answer = await redeemResending(ctx, kind, site.id, passes, key);
  settlePasses(ctx, booklet, passes, [{ answer, siteId: site.id, key, kind }]);
}

/**
 * The same request sent twice with the same key, one after the other or at
 * the same time: the second 2xx must carry the first's redemption id.
 */
async function redeemRetried(ctx: Context): Promise<void> {
  const taken = takeForRedemption(ctx, between(ctx, 1, 2));
  if (!taken) return;
  const { booklet, passes, sites } = taken;
  const site = pick(ctx, sites);
  const key = randomUUID();
  let first: Answer;
  let second: Answer;
  if (chance(ctx, 0.5)) {
    first = await redeemRequest(ctx, 'redeem', site.id, passes, key);
    second = await redeemRequest(ctx, 'redeem-retry', site.id, passes, key);
  } else {
    [first, second] = await Promise.all([
      redeemRequest(ctx, 'redeem', site.id, passes, key),
      redeemRequest(ctx, 'redeem-retry', site.id, passes, key),
    ]);
  }
  const ids = [first, second].filter((a) => isSuccess(a.outcome)).map((a) => (a.body as RedemptionView).redemptionId);
  if (ids.length === 2 && ids[0] !== ids[1]) {
    record(ctx, { kind: 'redeem-retry-mismatch', outcome: second.outcome, at: Date.now() });
    ctx.options.log(`workload: a retry with the same key got another redemption (${ids[0]} then ${ids[1]})`);
  }
  settlePasses(ctx, booklet, passes, [
    { answer: first, siteId: site.id, key, kind: 'redeem' },
    { answer: second, siteId: site.id, key, kind: 'redeem-retry' },
  ]);
}

/** The same passes at two sites of the territory at the same time: at most one may succeed. */
async function redeemContested(ctx: Context): Promise<void> {
  const taken = takeForRedemption(ctx, between(ctx, 1, 2), 2);
  if (!taken) return;
  const { booklet, passes, sites } = taken;
  const first = pick(ctx, sites);
  const second = pick(
    ctx,
    sites.filter((site) => site !== first),
  );
  const sent = [first, second].map((site) => ({ site, key: randomUUID() }));
  const answers = await Promise.all(
    sent.map(({ site, key }) => redeemRequest(ctx, 'redeem-contested', site.id, passes, key)),
  );
  if (answers.every((answer) => isSuccess(answer.outcome)))
    ctx.options.log('workload: both sites of a contested redemption got a 2xx');
  settlePasses(
    ctx,
    booklet,
    passes,
    sent.map(({ site, key }, i) => ({ answer: answers[i], siteId: site.id, key, kind: 'redeem-contested' })),
  );
}

/**
 * A client that goes away a few ms into its request: the redemption may or
 * may not have happened. Half the time it comes back with the same key and
 * learns which.
 */
async function redeemAborted(ctx: Context): Promise<void> {
  const taken = takeForRedemption(ctx, between(ctx, 1, 2));
  if (!taken) return;
  const { booklet, passes, sites } = taken;
  const site = pick(ctx, sites);
  const key = randomUUID();
  const aborted = await redeemRequest(ctx, 'redeem-aborted', site.id, passes, key, between(ctx, 2, 10));
  const sent = [{ answer: aborted, siteId: site.id, key, kind: 'redeem-aborted' }];
  if (isUnanswered(aborted.outcome) && chance(ctx, 0.5)) {
    await sleep(between(ctx, 50, 500));
    const again = await redeemResending(ctx, 'redeem-after-abort', site.id, passes, key);
    sent.push({ answer: again, siteId: site.id, key, kind: 'redeem-after-abort' });
  }
  settlePasses(ctx, booklet, passes, sent);
}

/** A void request and a redemption of the same pass at the same time: redemption decides which wins. */
async function voidRace(ctx: Context): Promise<void> {
  const taken = takeForRedemption(ctx, 1);
  if (!taken) return;
  const { booklet, passes, sites } = taken;
  const site = pick(ctx, sites);
  const key = randomUUID();
  const [redeemed, voided] = await Promise.all([
    redeemRequest(ctx, 'redeem-void-race', site.id, passes, key),
    call(ctx, 'void-race', 'issuance', 'POST', `/passes/${passes[0].passId}/void`, {
      as: counselorOf({ id: booklet.agencyId }),
      body: { reason: 'lost' },
    }),
  ]);
  if (isSuccess(voided.outcome)) ctx.state.acks.voidRequests.push(passes[0].passId);
  // The pass leaves the stock whoever wins: voided, redeemed, or refused as voided.
  if (isSuccess(redeemed.outcome)) acknowledge(ctx, redeemed.body as RedemptionView, booklet, passes, site.id, key);
  else if (mayHaveHappened(redeemed.outcome))
    noteUncertain(ctx, 'redeem-void-race', redeemed, site.id, booklet, passes, key);
}

// ——— Cancellations and voids ———

/** Cancels a recent redemption as its site; its passes are usable again. */
async function cancel(ctx: Context): Promise<void> {
  if (ctx.state.recent.length === 0) return redeem(ctx, 1);
  const index = Math.floor(ctx.options.random() * ctx.state.recent.length);
  const [{ ack, booklet, passes }] = ctx.state.recent.splice(index, 1);
  const send = (kind: string) =>
    call(ctx, kind, 'redemption', 'POST', `/redemptions/${ack.redemptionId}/cancellation`, {
      as: staffOf(ack.siteId),
      body: { reason: 'Pass scanné par erreur' },
    });
  const first = await send('cancel');
  const answer = isUnanswered(first.outcome) ? await sleep(500).then(() => send('cancel-resend')) : first;
  // Only the workload cancels its redemptions: "already cancelled" after a lost answer means the first one did it.
  const cancelled =
    isSuccess(answer.outcome) || (mayHaveHappened(first.outcome) && codeOf(answer) === 'REDEMPTION_ALREADY_CANCELLED');
  if (cancelled) {
    ctx.state.acks.cancelledRedemptions.push(ack.redemptionId);
    for (const pass of passes) pass.issuedAt = 0;
    returnPasses(ctx.state, booklet, passes);
  } else if (mayHaveHappened(first.outcome) || mayHaveHappened(answer.outcome))
    ctx.state.acks.uncertainCancellations.push(ack.redemptionId);
}

/** A counselor asks to void an unredeemed pass (lost): redemption decides, asynchronously. */
async function voidPass(ctx: Context): Promise<void> {
  const taken = takeAnyPass(ctx);
  if (!taken) return;
  const [pass] = taken.passes;
  const send = (kind: string) =>
    call(ctx, kind, 'issuance', 'POST', `/passes/${pass.passId}/void`, {
      as: counselorOf({ id: taken.booklet.agencyId }),
      body: { reason: pick(ctx, ['lost', 'stolen', 'issued_by_mistake'] as const) },
    });
  const first = await send('void');
  const answer = isUnanswered(first.outcome) ? await sleep(500).then(() => send('void-resend')) : first;
  const requested =
    isSuccess(answer.outcome) || (mayHaveHappened(first.outcome) && codeOf(answer) === 'VOID_ALREADY_REQUESTED');
  if (requested) ctx.state.acks.voidRequests.push(pass.passId);
}

// ——— Issuance ———

function anyAgency(ctx: Context): { program: ProgramState; agency: AgencyState } {
  const program = pick(ctx, ctx.state.programs);
  return { program, agency: pick(ctx, program.agencies) };
}

async function issueBooklet(ctx: Context): Promise<void> {
  if (stockedPasses(ctx.state) >= STOCK_CAP) return;
  const { program, agency } = anyAgency(ctx);
  const answer = await call(ctx, 'issue-booklet', 'issuance', 'POST', '/booklets', {
    as: counselorOf(agency),
    body: { programId: program.id, beneficiary: pick(ctx, PROFILES) },
  });
  if (isSuccess(answer.outcome)) stockBooklet(ctx, program, answer.body as IssuedBooklet);
}

/** A campaign order, sent again with its key when unanswered: issued once whatever happens. */
async function issueOrder(ctx: Context): Promise<void> {
  if (stockedPasses(ctx.state) >= STOCK_CAP) return;
  const { program, agency } = anyAgency(ctx);
  const key = randomUUID();
  const body = {
    programId: program.id,
    beneficiaries: Array.from({ length: between(ctx, 2, 5) }, () => pick(ctx, PROFILES)),
  };
  const send = (kind: string) =>
    call(ctx, kind, 'issuance', 'POST', '/booklet-orders', {
      as: counselorOf(agency),
      headers: { 'idempotency-key': key },
      body,
    });
  let answer = await send('issue-order');
  for (let resend = 1; resend <= 3 && isUnanswered(answer.outcome); resend++) {
    await sleep(500 * resend);
    answer = await send('issue-order-resend');
  }
  if (isSuccess(answer.outcome))
    for (const booklet of (answer.body as { booklets: IssuedBooklet[] }).booklets) stockBooklet(ctx, program, booklet);
}

// ——— Operator: sites, money, calendar jobs ———

/** Suspends a site of a program that keeps two usable others (contested redemptions need two). */
async function suspendSite(ctx: Context): Promise<void> {
  const candidates = ctx.state.programs.flatMap((program) =>
    usableSites(program).length >= 3 ? program.sites.filter((site) => site.suspended === 'no') : [],
  );
  if (candidates.length === 0) return;
  const site = pick(ctx, candidates);
  const answer = await call(ctx, 'suspend', 'redemption', 'POST', `/sites/${site.id}/suspension`, {
    as: OPERATOR,
    body: { reason: 'Contrôle sur place' },
  });
  if (isSuccess(answer.outcome)) site.suspended = 'yes';
  else if (mayHaveHappened(answer.outcome) || codeOf(answer) === 'SITE_TRANSITION_NOT_ALLOWED')
    site.suspended = 'maybe';
  site.suspendedAt = Date.now();
}

/** Reinstates sites suspended a while ago; "not allowed" means it was not suspended after all. */
async function reinstateSites(ctx: Context): Promise<void> {
  const due = ctx.state.programs.flatMap((program) =>
    program.sites.filter((site) => site.suspended !== 'no' && Date.now() - site.suspendedAt > 8_000),
  );
  for (const site of due) {
    const answer = await call(ctx, 'reinstate', 'redemption', 'POST', `/sites/${site.id}/reinstatement`, {
      as: OPERATOR,
      body: { reason: 'Contrôle levé' },
    });
    if (isSuccess(answer.outcome) || codeOf(answer) === 'SITE_TRANSITION_NOT_ALLOWED') site.suspended = 'no';
  }
}

/** More budget for an agency; the tight one gets only two booklets' worth, so it stays at its limit. */
async function allocate(ctx: Context): Promise<void> {
  const all = ctx.state.programs.flatMap((program) => program.agencies);
  const tight = all.find((agency) => agency.tight);
  const agency = tight && chance(ctx, 0.3) ? tight : pick(ctx, all);
  const amountCents = (agency.tight ? SIZING.tightTopUpBooklets : SIZING.topUpBooklets) * BOOKLET_CENTS;
  const allocation = { programId: agency.programId, agencyId: agency.id, amountCents };
  const answer = await call(ctx, 'allocate', 'funding', 'POST', `/programs/${agency.programId}/allocations`, {
    as: OPERATOR,
    body: { agencyId: agency.id, amountCents },
  });
  if (isSuccess(answer.outcome)) ctx.state.acks.allocations.push(allocation);
  else if (mayHaveHappened(answer.outcome)) ctx.state.acks.uncertainAllocations.push(allocation);
}

async function increaseBudget(ctx: Context): Promise<void> {
  const program = pick(ctx, ctx.state.programs);
  const amountCents = SIZING.budgetIncreaseCents;
  const answer = await call(ctx, 'budget-increase', 'funding', 'POST', `/programs/${program.id}/budget-increases`, {
    as: OPERATOR,
    body: { amountCents },
  });
  if (isSuccess(answer.outcome)) {
    const acked = ctx.state.acks.programs.find((entry) => entry.id === program.id)!;
    acked.budgetCents += amountCents;
  } else if (mayHaveHappened(answer.outcome))
    ctx.state.acks.uncertainBudgetIncreases.push({ programId: program.id, amountCents });
}

async function runExpiry(ctx: Context): Promise<void> {
  const answer = await call(ctx, 'expiry-run', 'redemption', 'POST', '/expiry-runs', { as: OPERATOR });
  if (isSuccess(answer.outcome))
    ctx.state.acks.expiryRuns.push({ expired: (answer.body as { expired: number }).expired });
}

/**
 * Settles a period and confirms its payment, sending again when unanswered:
 * "already run" after a lost answer means the lost request did it (only the
 * workload settles), and the run is then found by its period.
 */
async function settle(
  ctx: Context,
  kind: string,
  period: string | undefined,
  attempts: number,
): Promise<string | undefined> {
  let lostAnswer = false;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answer = await call(ctx, kind, 'funding', 'POST', '/settlement-runs', {
      as: OPERATOR,
      body: period ? { period } : {},
    });
    if (isSuccess(answer.outcome)) {
      const run = answer.body as { id: string; period: string };
      ctx.state.acks.settlementRuns.push({ id: run.id, period: run.period });
      return run.id;
    }
    if (codeOf(answer) === 'SETTLEMENT_PERIOD_ALREADY_RUN') {
      const settled = (answer.body as Problem).details?.period ?? period;
      if (!lostAnswer) throw new Error(`settlement: the period ${settled} was already settled before the workload`);
      return findSettlementRun(ctx, settled!);
    }
    if (!isUnanswered(answer.outcome)) throw new Error(`settlement refused: ${answer.outcome} ${codeOf(answer)}`);
    lostAnswer ||= mayHaveHappened(answer.outcome);
    await sleep(Math.min(1000 * attempt, 5000));
  }
  return undefined;
}

async function findSettlementRun(ctx: Context, period: string): Promise<string | undefined> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    const answer = await call(ctx, 'settlement-lookup', 'funding', 'GET', '/settlement-runs', { as: OPERATOR });
    if (isSuccess(answer.outcome)) {
      const run = (answer.body as Array<{ id: string; period: string }>).find((entry) => entry.period === period);
      if (run) ctx.state.acks.settlementRuns.push({ id: run.id, period: run.period });
      return run?.id;
    }
    await sleep(1000);
  }
  return undefined;
}

async function confirmPayment(ctx: Context, runId: string, attempts: number): Promise<boolean> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answer = await call(
      ctx,
      'settlement-payment',
      'funding',
      'POST',
      `/settlement-runs/${runId}/payment-confirmation`,
      {
        as: OPERATOR,
      },
    );
    if (isSuccess(answer.outcome) || codeOf(answer) === 'SETTLEMENT_RUN_ALREADY_PAID') {
      if (!ctx.state.acks.paidSettlementRuns.includes(runId)) ctx.state.acks.paidSettlementRuns.push(runId);
      return true;
    }
    if (!isUnanswered(answer.outcome))
      throw new Error(`payment confirmation refused: ${answer.outcome} ${codeOf(answer)}`);
    await sleep(Math.min(1000 * attempt, 5000));
  }
  return false;
}

/** The current month (Paris), settled once in the middle of the load: the clock offset makes it closed. */
async function settleCurrentMonth(ctx: Context): Promise<void> {
  ctx.state.settlement.started = true;
  const period = parisDay(new Date()).slice(0, 7);
  try {
    const runId = await settle(ctx, 'settlement-run', period, 10);
    if (!runId) return ctx.options.log(`workload: the settlement of ${period} got no answer`);
    ctx.state.settlement.runId = runId;
    await confirmPayment(ctx, runId, 10);
    ctx.options.log(`workload: ${period} settled in the middle of the load (run ${runId})`);
  } catch (error) {
    ctx.options.log(`workload: ${(error as Error).message}`);
  }
}

// ——— The load ———

type Operation = (ctx: Context) => Promise<void>;

const MIX: Array<[Operation, number]> = [
  [(ctx) => redeem(ctx, 1), 42],
  [(ctx) => redeem(ctx, between(ctx, 2, 3)), 16],
  [redeemRetried, 7],
  [redeemContested, 5],
  [redeemAborted, 3],
  [voidRace, 1],
  [issueBooklet, 8],
  [issueOrder, 2],
  [cancel, 4],
  [voidPass, 2],
];

/** Operator jobs on their own clocks: every so many ms, the first after its initial delay. */
function periodicJobs(): Array<{ everyMs: number; nextAt: number; run: Operation }> {
  const now = Date.now();
  return [
    { everyMs: 20_000, nextAt: now + 10_000, run: suspendSite },
    { everyMs: 4_000, nextAt: now + 4_000, run: reinstateSites },
    { everyMs: 15_000, nextAt: now + 15_000, run: allocate },
    { everyMs: 60_000, nextAt: now + 30_000, run: increaseBudget },
    { everyMs: 45_000, nextAt: now + 20_000, run: runExpiry },
  ];
}

/**
 * Starts operations at a steady rate, a bounded number in flight, until
 * `until()`; then waits for those in flight. The current month's settlement
 * starts once, after `settlementAfterMs`.
 */
export async function runWorkload(state: WorkloadState, options: WorkloadOptions & RunOptions): Promise<void> {
  const ctx: Context = { state, options };
  state.onRecord = options.onRecord;
  const intervalMs = 1000 / (options.operationsPerSecond ?? 20);
  const maxInFlight = options.maxInFlight ?? 8;
  const settleAt = Date.now() + (options.settlementAfterMs ?? 90_000);
  const jobs = periodicJobs();
  const inFlight = new Set<Promise<void>>();
  const start = (operation: Operation) => {
    const running = operation(ctx)
      .catch((error: Error) => options.log(`workload: an operation failed: ${error.stack ?? error.message}`))
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };
  const prober = keepProbing(ctx, options.until);
  let nextAt = Date.now();
  while (!options.until()) {
    if (inFlight.size >= maxInFlight) {
      await Promise.race([...inFlight, sleep(250)]);
      continue;
    }
    const now = Date.now();
    const job = jobs.find((entry) => entry.nextAt <= now);
    if (!state.settlement.started && now >= settleAt) start(settleCurrentMonth);
    else if (job) {
      job.nextAt = now + job.everyMs;
      start(job.run);
    } else start(weighted(ctx, MIX));
    // Behind by more than a second (paused instances held the slots): no burst to catch up.
    nextAt = Math.max(nextAt + intervalMs, Date.now() - 1000);
    await sleep(Math.max(0, nextAt - Date.now()));
  }
  await Promise.allSettled([...inFlight, prober]);
  options.log(
    `workload: stopped; ${state.records.length} requests, ${state.acks.redemptions.length} redemptions acknowledged`,
  );
}

async function keepProbing(ctx: Context, until: () => boolean): Promise<void> {
  while (!until()) {
    await probeKnownPasses(ctx);
    await sleep(1500);
  }
}

/**
 * Once the load has stopped and the pipelines drained: settles the last
 * closed month (the service's previous month, with its clock ahead), so that
 * every redemption still pending ends up in a statement, and confirms its
 * payment, with the mid-load run's if still unconfirmed. Sends again until
 * answered (at most `timeoutMs`, default 5 minutes).
 */
export async function settleRemaining(
  state: WorkloadState,
  options: WorkloadOptions & { timeoutMs?: number },
): Promise<void> {
  const ctx: Context = { state, options };
  const attempts = Math.max(1, Math.round((options.timeoutMs ?? 300_000) / 5000));
  const runId = await settle(ctx, 'final-settlement-run', undefined, attempts);
  if (!runId) throw new Error('settleRemaining: the settlement run of the last closed month never got an answer');
  const runs = state.acks.settlementRuns.map((run) => run.id);
  for (const id of runs)
    if (!state.acks.paidSettlementRuns.includes(id) && !(await confirmPayment(ctx, id, attempts)))
      throw new Error(`settleRemaining: the payment of run ${id} was never confirmed`);
  const run = state.acks.settlementRuns.find((entry) => entry.id === runId)!;
  options.log(`workload: ${run.period} settled and paid (run ${runId})`);
}

export function acknowledgements(state: WorkloadState): Acknowledgements {
  const acks = state.acks;
  return {
    ...acks,
    programs: acks.programs.map((program) => ({ ...program })),
    allocations: [...acks.allocations],
    agencies: [...acks.agencies],
    sites: [...acks.sites],
    booklets: [...acks.booklets],
    redemptions: [...acks.redemptions],
    cancelledRedemptions: [...acks.cancelledRedemptions],
    voidRequests: [...acks.voidRequests],
    settlementRuns: [...acks.settlementRuns],
    expiryRuns: [...acks.expiryRuns],
    paidSettlementRuns: [...acks.paidSettlementRuns],
    uncertainRedemptions: [...acks.uncertainRedemptions],
    uncertainAllocations: [...acks.uncertainAllocations],
    uncertainBudgetIncreases: [...acks.uncertainBudgetIncreases],
    uncertainCancellations: [...acks.uncertainCancellations],
  };
}

export function requestRecords(state: WorkloadState): RequestRecord[] {
  return [...state.records];
}
