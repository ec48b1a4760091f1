// Expiry and rebuild: the two bulk jobs the targets name.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Api, sleep, until } from './http';

const DEFAULT_EXPIRY_DB = 'pass_bench_expiry';

/** A deterministic, well-formed version 4 UUID from a text (the events' contracts check the version and variant). */
const uuidOf = (text: string) => `overlay(overlay(md5(${text}) placing '4' from 13) placing '8' from 17)::uuid`;

/**
 * Expiry without faking time. Issuance refuses a booklet once its program has
 * ended, and a pass expires only the day after its last usable day, so passes
 * issued today cannot expire today through the real flow. Instead a second,
 * throwaway redemption instance (the same build, its own scratch database and
 * topic prefix, its outbox relay off so that nothing lands on the shared
 * broker) gets `count` passes whose validity ended 40 days ago, inserted
 * directly in that scratch database, and POST /expiry-runs expires them
 * through the service's own code (batched UPDATE … SKIP LOCKED plus the
 * VoucherExpired outbox rows, as the hourly job does).
 */
export async function runExpiry(options: {
  root: string;
  serverUrl: string;
  operatorToken: string;
  count: number;
  port: number;
  logDir: string;
  log: (message: string) => void;
  /** Scratch database (default pass_bench_expiry): a helper's run must not drop the lead's. */
  database?: string;
  /** Extra environment for the scratch instance (e.g. EXPIRY_BATCH_SIZE). */
  env?: Record<string, string>;
  /** Extra node flags for the scratch instance (e.g. --cpu-prof). */
  nodeArgs?: string[];
}) {
  const EXPIRY_DB = options.database ?? DEFAULT_EXPIRY_DB;
  const admin = new Client({ connectionString: options.serverUrl });
  await admin.connect();
  const url = new URL(options.serverUrl);
  url.pathname = `/${EXPIRY_DB}`;
  let child: ChildProcess | undefined;
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${EXPIRY_DB}`);
    await admin.query(`CREATE DATABASE ${EXPIRY_DB}`);
    const logFile = join(options.logDir, 'expiry-redemption.log');
    child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), join(options.root, 'dist/services/redemption/src/main.js')],
      {
        cwd: options.root,
        env: {
          ...process.env,
          PORT: String(options.port),
          DATABASE_URL: url.toString(),
          KAFKA_TOPIC_PREFIX: 'bench.expiry.',
          OUTBOX_RELAY_ENABLED: 'false',
          EXPIRY_JOB_ENABLED: 'false',
          LOG_LEVEL: 'warn',
          ...options.env,
        },
        stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
      },
    );
    const base = `http://127.0.0.1:${options.port}`;
    await until(
      'the scratch redemption instance to answer /health',
      async () => (await fetch(`${base}/health`)).ok,
      120_000,
      500,
    );

    const db = new Client({ connectionString: url.toString() });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO passes (id, booklet_id, program_id, agency_id, code_hash, amount_cents, territory, valid_from, valid_until, tolerance_days)
         SELECT gen_random_uuid(), ${uuidOf("'b' || (i / 10)")}, ${uuidOf("'program' || (i % 3)")}, ${uuidOf("'agency' || (i % 6)")},
                encode(sha256(convert_to('expiry' || i, 'UTF8')), 'hex'), 1000, ARRAY['31'], current_date - 400, current_date - 40, 31
         FROM generate_series(1, $1::int) AS i`,
        [options.count],
      );
      await db.query('ANALYZE passes');
      await db.query('CHECKPOINT'); // the million rows just inserted are written before the run, not during it
      options.log(`expiry: ${options.count} passes past their validity in ${EXPIRY_DB}; POST /expiry-runs`);
      const started = performance.now();
      const run = await new Api(base, options.operatorToken).call<{
        expired: number;
        batches: number;
        durationMs: number;
      }>('POST', '/expiry-runs');
      const wallSeconds = (performance.now() - started) / 1000;
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM outbox_messages WHERE event_type = 'VoucherExpired'`,
      );
      const perSecond = run.expired / (run.durationMs / 1000);
      options.log(
        `expiry: ${run.expired} passes in ${run.batches} batches, ${run.durationMs} ms (${perSecond.toFixed(0)} passes/s)`,
      );
      return {
        method: `scratch redemption instance on ${EXPIRY_DB}, passes inserted with validity ended 40 days ago, POST /expiry-runs (outbox relay off)`,
        passes: options.count,
        expired: run.expired,
        batches: run.batches,
        serviceDurationMs: run.durationMs,
        httpWallSeconds: Math.round(wallSeconds * 100) / 100,
        passesPerSecond: Math.round(perSecond),
        outboxEventsWritten: rows[0].n,
        projectedSecondsForOneMillion: Math.round((1_000_000 / perSecond) * 10) / 10,
      };
    } finally {
      await db.end();
    }
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => child!.once('exit', resolve)), sleep(20_000)]);
    }
    await admin
      .query(`DROP DATABASE IF EXISTS ${EXPIRY_DB} WITH (FORCE)`)
      .catch((error: Error) => options.log(`could not drop ${EXPIRY_DB}: ${error.message}`));
    await admin.end();
  }
}

/** POST /rebuilds on reporting, then follows it to its end; the rate is replayed events over the rebuild's own start and finish times. */
export async function runRebuild(options: {
  reportingUrl: string;
  operatorToken: string;
  timeoutMs: number;
  log: (message: string) => void;
}) {
  const reporting = new Api(options.reportingUrl, options.operatorToken);
  const started = performance.now();
  const rebuild = await reporting.call<{ id: string }>('POST', '/rebuilds');
  const done = await until(
    'the reporting rebuild to finish',
    async () => {
      const view = await reporting.call<{
        status: string;
        replayedEvents: number;
        invalidEvents: number;
        startedAt: string;
        finishedAt: string | null;
        error: string | null;
      }>('GET', `/rebuilds/${rebuild.id}`);
      return view.status !== 'running' && view;
    },
    options.timeoutMs,
    500,
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const seconds = done.finishedAt ? (Date.parse(done.finishedAt) - Date.parse(done.startedAt)) / 1000 : wallSeconds;
  options.log(`rebuild ${done.status}: ${done.replayedEvents} events in ${seconds.toFixed(1)} s`);
  return {
    id: rebuild.id,
    status: done.status,
    error: done.error,
    replayedEvents: done.replayedEvents,
    invalidEvents: done.invalidEvents,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round(done.replayedEvents / seconds),
  };
}
