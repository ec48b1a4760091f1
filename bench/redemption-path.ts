// The cost of one POST /redemptions, alone: a throwaway redemption instance
// (its own scratch database and topic prefix, relay on) with passes inserted
// directly, driven at its maximum by autocannon. Prints redemptions/s,
// latency, and CPU milliseconds per redemption of the instance and of
// PostgreSQL: CPU per request stays comparable when other work shares the
// machine, where throughput does not. A tool for working on the request
// path; `npm run bench` is the benchmark of record.
//   node -r @swc-node/register bench/redemption-path.ts   (after `npm run build`, with Kafka up)
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { loadOrCreateDevKeys, mintToken } from '../libs/auth/src';
import { generatePassCode, hashPassCode, parsePassCode } from '../libs/pass-codes/src';
import { Api, sleep, until } from './lib/http';

const ROOT = join(__dirname, '..');
/** Another checkout's build, to compare the same measurement before and after a change. */
const BUILD_ROOT = process.env.PATH_BENCH_BUILD_ROOT ?? ROOT;
const DATABASE = process.env.PATH_BENCH_DATABASE ?? 'pass_bench_redemption_path';
const PORT = Number(process.env.PATH_BENCH_PORT ?? 3042);
const PASSES = Number(process.env.PATH_BENCH_PASSES ?? 12_000);
const SECONDS = Number(process.env.PATH_BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.PATH_BENCH_CONNECTIONS ?? 16);
/** A fixed rate (requests/s) instead of as fast as it goes. */
const RATE = process.env.PATH_BENCH_RATE ? Number(process.env.PATH_BENCH_RATE) : undefined;
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const ticksOf = (pid: number) => {
  const [user, system] = userAndSystemTicksOf(pid);
  return user + system;
};
const userAndSystemTicksOf = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return [Number(fields[11]), Number(fields[12])];
};
/** CPU of the PostgreSQL backends serving the scratch database (its pool keeps them for the whole run); other databases' work is left out. */
async function backendTicks(admin: Client): Promise<Map<number, number>> {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [DATABASE]);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      ticks.set(pid, ticksOf(pid));
    } catch {
      // ended meanwhile
    }
  }
  return ticks;
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE}`;
  let child: ChildProcess | undefined;
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    const logFile = join(ROOT, '.local', 'bench', 'redemption-path.log');
    child = spawn(
      process.execPath,
      [
        ...(process.env.PATH_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.PATH_BENCH_PROFILE] : []),
        join(BUILD_ROOT, 'dist/services/redemption/src/main.js'),
      ],
      {
        cwd: BUILD_ROOT,
        env: {
          ...process.env,
          PORT: String(PORT),
          DATABASE_URL: url.toString(),
          KAFKA_TOPIC_PREFIX: `bench.path.${Date.now()}.`,
          EXPIRY_JOB_ENABLED: 'false',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
      },
    );
    const base = `http://127.0.0.1:${PORT}`;
    await until(
      'the scratch redemption instance',
      async () => (await fetch(`${base}/health`).catch(() => null))?.ok,
      120_000,
      500,
    );

    const keys = await loadOrCreateDevKeys();
    const operator = new Api(base, await mintToken(keys.privateKeyPem, { role: 'operator', subject: 'path-operator' }));
    const site = await operator.call<{ id: string }>('POST', '/sites', {
      name: 'Espace numérique du banc',
      siret: '73282932000074',
      address: '1 place de la Mairie',
      postalCode: '31600',
      inseeCode: '31395',
      labels: ['france_services'],
      iban: 'FR7630006000011234567890189',
      bic: 'AGRIFRPP882',
    });
    await operator.call('POST', `/sites/${site.id}/accreditation`, {
      validUntil: '2099-12-31',
      reason: 'Banc de mesure',
    });
    const token = await mintToken(keys.privateKeyPem, {
      role: 'site',
      org: site.id,
      subject: 'path-staff',
      expiresIn: '2h',
    });

    const codes = Array.from({ length: PASSES }, () => generatePassCode());
    const db = new Client({ connectionString: url.toString() });
    await db.connect();
    await db.query(
      `INSERT INTO passes (id, booklet_id, program_id, agency_id, code_hash, amount_cents, territory, valid_from, valid_until, tolerance_days)
       SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), h, 1000, ARRAY['31'], current_date - 10, current_date + 300, 31
       FROM unnest($1::text[]) AS h`,
      [
        codes.map((code) => {
          const parsed = parsePassCode(code);
          return parsed.valid ? hashPassCode(parsed.canonical) : '';
        }),
      ],
    );
    await db.query('ANALYZE');
    await db.end();

    let next = 0;
    const statuses: Record<string, number> = {};
    const before = {
      service: ticksOf(child.pid!),
      serviceSystem: userAndSystemTicksOf(child.pid!)[1],
      backends: await backendTicks(admin),
      at: performance.now(),
    };
    const run: any = await autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: SECONDS,
      maxOverallRequests: PASSES,
      overallRate: RATE,
      requests: [
        {
          method: 'POST',
          path: '/redemptions',
          setupRequest: (request: any) => ({
            ...request,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': randomUUID(),
            },
            body: JSON.stringify({ codes: [codes[next++ % codes.length]] }),
          }),
          onResponse: (status: number) => (statuses[status] = (statuses[status] ?? 0) + 1),
        },
      ],
    } as any);
    const seconds = (performance.now() - before.at) / 1000;
    const backendsAfter = await backendTicks(admin);
    const ticks = {
      service: ticksOf(child.pid!) - before.service,
      serviceSystem: userAndSystemTicksOf(child.pid!)[1] - before.serviceSystem,
      postgres: [...backendsAfter].reduce((sum, [pid, after]) => sum + after - (before.backends.get(pid) ?? 0), 0),
    };
    const ok = statuses['201'] ?? 0;
    const perRequestMs = (t: number) => ((t * 10) / ok).toFixed(2); // 100 ticks per second
    console.log(
      JSON.stringify({
        connections: CONNECTIONS,
        rate: RATE ?? 'max',
        seconds: Math.round(seconds),
        redeemed: ok,
        statuses,
        perSecond: Math.round(ok / seconds),
        latencyMs: { p50: run.latency.p50, p90: run.latency.p90, p99: run.latency.p99, max: run.latency.max },
        cpuMsPerRedemption: {
          redemptionService: perRequestMs(ticks.service),
          ofWhichKernel: perRequestMs(ticks.serviceSystem),
          postgresBackends: perRequestMs(ticks.postgres),
        },
        loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
      }),
    );
    await sleep(1000);
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => child!.once('exit', resolve)), sleep(20_000)]);
    }
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
