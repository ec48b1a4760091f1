// Issue 11's benchmark, run by `npm run bench` (bench/run.sh) against the four
// services answering on 3001–3004. Never part of `npm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TokenRequest } from '../libs/auth/src';
import { loadOrCreateDevKeys, mintToken } from '../libs/auth/src';
import { runExpiry, runRebuild } from './lib/batch-jobs';
import type { PhaseResult } from './lib/load';
import { codePool, runPhase } from './lib/load';
import { cpuCalibrationMs, cpuWindow, describeMachine, loopbackRoundTripMicros, MemorySampler } from './lib/machine';
import { runPgbench } from './lib/pgbench';
import { settle } from './lib/http';
import { historyRow, toMarkdown } from './lib/report';
import type { Urls } from './lib/seed';
import { seed } from './lib/seed';

const ROOT = join(__dirname, '..');

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const config = {
  passes: intEnv('BENCH_PASSES', 200_000),
  durationSeconds: intEnv('BENCH_DURATION', 60),
  rates: (process.env.BENCH_RATES ?? '100,500').split(',').map((rate) => Number(rate.trim())),
  connections: intEnv('BENCH_CONNECTIONS', 50),
  programs: intEnv('BENCH_PROGRAMS', 3),
  agenciesPerProgram: intEnv('BENCH_AGENCIES_PER_PROGRAM', 2),
  sitesPerProgram: intEnv('BENCH_SITES_PER_PROGRAM', 3),
  seedConcurrency: intEnv('BENCH_SEED_CONCURRENCY', 16),
  singleBooklets: intEnv('BENCH_SINGLE_BOOKLETS', 1000),
  orderSize: intEnv('BENCH_ORDER_SIZE', 50),
  orderConcurrency: intEnv('BENCH_ORDER_CONCURRENCY', 4),
  lagSample: intEnv('BENCH_LAG_SAMPLE', 2000),
  // The target names a million passes: measured, not projected.
  expiryPasses: intEnv('BENCH_EXPIRY_PASSES', 1_000_000),
  pgbenchClients: intEnv('BENCH_PGBENCH_CLIENTS', 10),
  skip: new Set(
    (process.env.BENCH_SKIP ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ),
};
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const urls: Urls = {
  issuance: process.env.ISSUANCE_URL ?? 'http://127.0.0.1:3001',
  redemption: process.env.REDEMPTION_URL ?? 'http://127.0.0.1:3002',
  funding: process.env.FUNDING_URL ?? 'http://127.0.0.1:3003',
  reporting: process.env.REPORTING_URL ?? 'http://127.0.0.1:3004',
};
const logDir = join(ROOT, '.local', 'bench');

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** A read-only connection to a service's database (the benchmark measures, it never writes there). */
async function readOnly(service: string): Promise<Client> {
  const url = new URL(serverUrl);
  url.pathname = `/pass_${service}`;
  const client = new Client({ connectionString: url.toString(), application_name: 'pass-bench' });
  await client.connect();
  await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  return client;
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const startedAt = new Date();
  const machine = await describeMachine(serverUrl, ROOT);
  log(
    `machine: ${machine.nproc} CPU (${machine.cpuModel}), ${machine.memoryGiB} GiB, load ${machine.loadAverageAtStart}, CPU calibration ${machine.cpuCalibrationMsAtStart} ms, loopback round trip ${machine.loopbackRoundTripMicrosAtStart} µs`,
  );
  const memory = new MemorySampler();
  memory.start();

  const keys = await loadOrCreateDevKeys();
  const token = (request: TokenRequest) => mintToken(keys.privateKeyPem, { expiresIn: '12h', ...request });
  const operator = await token({ role: 'operator', subject: 'bench-operator' });
  const databases = {
    redemption: await readOnly('redemption'),
    funding: await readOnly('funding'),
    reporting: await readOnly('reporting'),
  };

  try {
    const seeded = await seed({
      urls,
      token,
      operator,
      passes: config.passes,
      programs: config.programs,
      agenciesPerProgram: config.agenciesPerProgram,
      sitesPerProgram: config.sitesPerProgram,
      concurrency: config.seedConcurrency,
      singleBooklets: config.singleBooklets,
      orderSize: config.orderSize,
      orderConcurrency: config.orderConcurrency,
      redemptionDb: databases.redemption,
      log,
    });
    const pool = codePool(seeded.programs, seeded.siteTokens);
    const programIds = seeded.programs.map((p) => p.id);

    const services = [urls.issuance, urls.redemption, urls.funding, urls.reporting];
    const settledAfterSeed = await settle(services, 10 * 60_000);
    log(`every consumer had caught up ${settledAfterSeed.toFixed(1)} s after the seeding`);

    const phases: PhaseResult[] = [];
    const settledBefore: Record<string, number> = {};
    for (const rate of [...config.rates, null]) {
      settledBefore[rate ? `${rate}/s` : 'max'] = Math.round((await settle(services, 10 * 60_000)) * 10) / 10;
      // Each measured phase starts from a checkpoint, as pgbench does: what the seeding or the previous phase left dirty is not charged to it.
      await databases.redemption.query('CHECKPOINT');
      phases.push(
        await runPhase({
          name: rate ? `${rate}/s` : 'max',
          url: urls.redemption,
          pool,
          rate,
          connections: config.connections,
          durationSeconds: config.durationSeconds,
          databases,
          programIds,
          lagSample: config.lagSample,
          lagTimeoutMs: 120_000,
          log,
        }),
      );
    }

    const expiry = config.skip.has('expiry')
      ? null
      : await runExpiry({
          root: ROOT,
          serverUrl,
          operatorToken: operator,
          count: config.expiryPasses,
          port: intEnv('BENCH_EXPIRY_PORT', 3012),
          logDir,
          log,
        });
    if (!config.skip.has('rebuild')) await databases.reporting.query('CHECKPOINT');
    const rebuildCpu = cpuWindow();
    const rebuild = config.skip.has('rebuild')
      ? null
      : {
          ...(await runRebuild({ reportingUrl: urls.reporting, operatorToken: operator, timeoutMs: 30 * 60_000, log })),
          cpu: rebuildCpu(),
        };
    const memoryPeaks = memory.stop();
    const pgbench = config.skip.has('pgbench')
      ? null
      : await runPgbench({
          serverUrl,
          sourceDatabase: 'pass_redemption',
          // As many passes as the service's own table holds (the pass lookup's cost grows with it), and enough for the run.
          passes: Math.max(
            (await databases.redemption.query('SELECT count(*)::int AS n FROM passes')).rows[0].n,
            3000 * config.durationSeconds,
          ),
          clients: config.pgbenchClients,
          durationSeconds: config.durationSeconds,
          workDir: logDir,
          log,
        });

    const maxPhase = phases[phases.length - 1];
    // Against the database at its best: the stricter of the two ratios.
    const pgbenchTps = pgbench ? Math.max(0, ...pgbench.variants.map((v) => v.tps ?? 0)) || null : null;
    const results = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        ...machine,
        cpuCalibrationMsAtEnd: cpuCalibrationMs(),
        loopbackRoundTripMicrosAtEnd: await loopbackRoundTripMicros(),
      },
      config: { ...config, skip: [...config.skip] },
      seed: {
        programs: seeded.programs.map((p) => ({
          id: p.id,
          departement: p.departement,
          agencies: p.agencyIds.length,
          sites: p.siteIds.length,
          passes: p.codes.length,
        })),
        issuance: seeded.issuance,
        redemptionCatchUpSeconds: seeded.redemptionCatchUpSeconds,
        /** From redemption knowing every pass until every service's outbox and consumer lag were empty (funding and reporting digesting the booklets). */
        allConsumersSettledSeconds: Math.round(settledAfterSeed * 10) / 10,
      },
      /** Seconds waited before each phase for the previous one's events to be consumed everywhere. */
      settledBeforePhaseSeconds: settledBefore,
      redemptions: phases,
      expiry,
      rebuild,
      pgbench,
      redemptionVsPgbench: pgbenchTps ? Math.round((maxPhase.sustainedPerSecond / pgbenchTps) * 1000) / 1000 : null,
      memory: memoryPeaks,
    };
    // The repository keeps the last run's report (bench/results/latest.*) and a row per run in bench/README.md;
    // each run's own copy stays on this machine, under the ignored .local/bench/results/.
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const json = `${JSON.stringify(results, null, 2)}\n`;
    const markdown = toMarkdown(results);
    for (const [dir, name] of [
      [join(ROOT, 'bench', 'results'), 'latest'],
      [join(logDir, 'results'), stamp],
    ]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.json`), json);
      writeFileSync(join(dir, `${name}.md`), markdown);
    }
    console.log(`\n${markdown}`);
    log(`results in bench/results/latest.{json,md}, and this run's copy in .local/bench/results/${stamp}.{json,md}`);
    log(`this run's row for the history table of bench/README.md:\n${historyRow(results)}`);
  } finally {
    memory.stop();
    await Promise.all(Object.values(databases).map((db) => db.end()));
  }
}

main().catch((error: Error) => {
  console.error(`Benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
