// npm run chaos: the soak of issue 21. Starts the soak's own PostgreSQL and
// Kafka and two instances of every service, seeds data, runs the mixed
// workload while the fault schedule kills, pauses and restarts parts, then
// lets the pipelines drain, settles what is left, checks every invariant and
// writes the report. Exit code 0 only when every invariant holds.
//
//   CHAOS_DURATION   load time: seconds, or with a unit (150s, 10m); default 10m
//   CHAOS_SEED       the fault schedule's and the workload's seed (printed; default random)
//   CHAOS_DRAIN_TIMEOUT  seconds the pipelines get to drain after the load (default 300): not draining fails the soak
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenRequest } from '../../libs/auth/src';
import { loadOrCreateDevKeys, mintToken } from '../../libs/auth/src';
import { Cluster } from './cluster';
import type { InjectedFault } from './faults';
import { seededRandom } from '../../libs/testing/src/seeded-random';
import { injectFaults, parseDuration, scheduleFaults } from './faults';
import { checkInvariants, waitForDrain } from './invariants';
import type { RequestRecord } from './model';
import { LagSampler } from './observe';
import type { SoakResult } from './report';
import { passed, writeReport } from './report';
import { acknowledgements, requestRecords, runWorkload, seedWorkload, settleRemaining } from './workload';

const ROOT = join(__dirname, '../..');
const STATE_DIR = join(ROOT, '.local/chaos');
const RESULTS_DIR = join(__dirname, 'results');
/** Days the settlement and expiry clocks run ahead (OperationsClock): this month and the next are over, short passes expire. */
const CLOCK_OFFSET_DAYS = 70;

const log = (message: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** A fresh soak: the previous run's database and broker data go, the broker's jars stay. */
function wipeState(): void {
  if (!existsSync(STATE_DIR)) return;
  for (const entry of readdirSync(STATE_DIR)) {
    if (entry === 'kafka') {
      for (const inner of readdirSync(join(STATE_DIR, 'kafka')))
        if (inner !== 'lib') rmSync(join(STATE_DIR, 'kafka', inner), { recursive: true, force: true });
    } else rmSync(join(STATE_DIR, entry), { recursive: true, force: true });
  }
}

/** From each fault to the next redemption answered 2xx, and to the consumers caught up once the part was back. */
function recoveryOf(faults: InjectedFault[], records: RequestRecord[], sampler: LagSampler): SoakResult['recovery'] {
  const redeemed = records
    .filter((r) => r.kind.startsWith('redeem') && typeof r.outcome === 'number' && r.outcome < 300)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  return faults
    .filter((fault) => fault.injectedAt > 0)
    .map((fault) => {
      const nextRedemption = redeemed.find((at) => at > fault.injectedAt);
      const caughtUp = fault.backAt ? sampler.caughtUpAfter(fault.backAt) : undefined;
      return {
        kind: fault.kind,
        toRedemptionMs: nextRedemption === undefined ? undefined : nextRedemption - fault.injectedAt,
        toCaughtUpMs: caughtUp === undefined ? undefined : caughtUp - fault.injectedAt,
      };
    });
}

async function main(): Promise<number> {
  const durationMs = parseDuration(process.env.CHAOS_DURATION ?? '10m');
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomInt(1, 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`CHAOS_SEED must be an integer, got "${process.env.CHAOS_SEED}"`);
  const drainTimeoutMs = parseDuration(process.env.CHAOS_DRAIN_TIMEOUT ?? '300');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  log(`seed ${seed}, load for ${durationMs / 1000} s, commit ${commit}`);

  wipeState();
  const cluster = await Cluster.create({
    repoRoot: ROOT,
    stateDir: STATE_DIR,
    log,
    serviceEnv: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      CLOCK_OFFSET_DAYS: String(CLOCK_OFFSET_DAYS),
      TRUSTED_PROXIES: 'loopback',
      // Contested and retried redemptions all come from this machine's address: the guessing limits are not what is tested here.
      REDEMPTION_MAX_FAILED_ATTEMPTS: '1000000',
      REDEMPTION_MAX_FAILED_ATTEMPTS_PER_SITE: '1000000',
      // The calendar jobs stay out of the way: the workload runs settlements and expiries itself.
      SETTLEMENT_SCHEDULE_ENABLED: 'false',
      EXPIRY_JOB_ENABLED: 'false',
      NODE_OPTIONS: '--max-old-space-size=192',
    },
  });
  const keys = await loadOrCreateDevKeys();
  const token = (request: TokenRequest) => mintToken(keys.privateKeyPem, { expiresIn: '12h', ...request });
  const startedAt = new Date();
  const result: SoakResult = {
    seed,
    durationMs,
    startedAt,
    commit,
    faults: [],
    crashes: {},
    records: [],
    invariants: [],
    largestLag: { total: 0, at: 0, byService: {} },
    recovery: [],
    samples: [],
  };
  let sampler: LagSampler | undefined;
  let state: Awaited<ReturnType<typeof seedWorkload>> | undefined;
  try {
    await cluster.start();
    const options = { endpoints: cluster.endpoints, token, random: seededRandom(seed), log };
    state = await seedWorkload(options);
    log('seeded; load and faults start');
    sampler = new LagSampler(cluster.endpoints);
    const loadStart = Date.now();
    result.startedAt = new Date(loadStart);
    const schedule = scheduleFaults(durationMs, seededRandom(seed ^ 0x5bd1e995));
    const [faults] = await Promise.all([
      injectFaults(cluster, schedule, loadStart, log),
      runWorkload(state!, {
        ...options,
        until: () => Date.now() >= loadStart + durationMs,
        settlementAfterMs: durationMs / 2,
      }),
    ]);
    result.faults = faults;
    log(`load stopped after ${((Date.now() - loadStart) / 1000).toFixed(0)} s; ${faults.length} faults injected`);

    // Every part back before draining: a paused instance resumed, a killed one healthy again.
    for (const instance of cluster.instances) if (instance.isPaused) instance.kill('SIGCONT');
    await Promise.all(cluster.instances.map((instance) => instance.waitHealthy(180_000)));
    const drainInput = { endpoints: cluster.endpoints, databases: cluster.databases, timeoutMs: drainTimeoutMs };
    const drained = await waitForDrain(drainInput);
    result.drainSeconds = drained.seconds;
    log(`drained in ${drained.seconds.toFixed(1)} s; settling the remaining closed month`);
    await settleRemaining(state!, options);
    await waitForDrain(drainInput);
    result.invariants = await checkInvariants({
      databases: cluster.databases,
      acknowledged: acknowledgements(state!),
      endpoints: cluster.endpoints,
      operatorToken: await token({ role: 'operator', subject: 'chaos-operator' }),
    });
  } catch (error) {
    result.failure = (error as Error).message;
    log(`the soak failed: ${(error as Error).stack ?? error}`);
  } finally {
    if (state) result.records = requestRecords(state);
    await sampler?.stop();
    if (sampler) {
      result.samples = sampler.samples;
      result.largestLag = sampler.largest();
      result.recovery = recoveryOf(result.faults, result.records, sampler);
    }
    result.crashes = Object.fromEntries(cluster.instances.map((i) => [i.name, i.crashes.length]));
    log('stopping the soak cluster');
    await cluster.stop();
  }
  const path = writeReport(RESULTS_DIR, result);
  for (const invariant of result.invariants)
    log(`${invariant.ok ? 'ok        ' : 'VIOLATED  '} ${invariant.name}: ${invariant.figure}`);
  log(
    `${passed(result) ? 'PASSED' : 'FAILED'}; report in ${path.slice(ROOT.length + 1)} and test/chaos/results/latest.md`,
  );
  return passed(result) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error.stack ?? error.message);
      process.exit(1);
    },
  );
}
