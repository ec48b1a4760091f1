// Measures reporting's rebuild rate alone, on its own scratch database and topics (never the lead's):
//   node -r @swc-node/register bench/rebuild-rate.ts                 seeds ~REBUILD_EVENTS events, measures, cleans up
//   REBUILD_PREFIX=<prefix> node -r @swc-node/register bench/rebuild-rate.ts   replays topics seeded by an earlier run
// REBUILD_KEEP=1 keeps the database and topics (their prefix is printed) so that two builds are compared on the same data;
// REBUILD_ROOT runs the instance from another copy of the tree (e.g. one with the files of a change reverted).
// Besides events/s it prints the CPU seconds of the instance and of its database backends, steadier on a loaded machine.
// The reporting instance runs from source (swc-node) and is restarted for each run; its live consumer has caught up
// first, as in the official benchmark, then POST /rebuilds is measured by bench/lib/batch-jobs.ts (runRebuild).
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { EventEnvelope } from '../libs/contracts/src';
import { findEventDefinition } from '../libs/contracts/src';
import { testKeyPair, testToken } from '../libs/testing/src/test-tokens';
import { seededRandom } from '../libs/testing/src/seeded-random';
import { ReportingScenario } from '../test/reporting/reporting-scenario';
import { runRebuild } from './lib/batch-jobs';
import { settle, until } from './lib/http';

const ROOT = process.env.REBUILD_ROOT ?? join(__dirname, '..');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const PORT = Number(process.env.REBUILD_PORT ?? 3094);
const EVENTS = Number(process.env.REBUILD_EVENTS ?? 20_000);
const RUNS = Number(process.env.REBUILD_RUNS ?? 2);

function log(message: string): void {
  console.log(`[rebuild-rate ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** The events of a realistic scenario (test/reporting's model): programs, agencies, sites, booklets of 10 passes and their outcomes. */
function scenarioEvents(target: number): Record<'funding' | 'issuance' | 'redemption', EventEnvelope<object>[]> {
  const scenario = new ReportingScenario(seededRandom(11));
  scenario.setUp();
  // About 8 events per booklet (the booklet, ~7 pass outcomes and void requests).
  const booklets = Math.max(10, Math.round(target / 8));
  const issued = [
    ...scenario.issueBooklets(scenario.programs.coFunded, Math.round(booklets * 0.9)),
    ...scenario.issueBooklets(scenario.programs.single, Math.round(booklets * 0.1)),
  ];
  scenario.settle(issued);
  scenario.settleSites();
  return { funding: scenario.funding, issuance: scenario.issuance, redemption: scenario.redemption };
}

/** In order per topic (one batch in flight), which keeps every key's order. */
async function publish(prefix: string, events: EventEnvelope<object>[]): Promise<void> {
  const producer = new Kafka({
    clientId: 'rebuild-rate',
    brokers: BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  }).producer({
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 500) {
      const byTopic = new Map<string, Array<{ key: string; value: string }>>();
      for (const envelope of events.slice(i, i + 500)) {
        const topic = `${prefix}${findEventDefinition(envelope.type, envelope.schemaVersion)!.topic}`;
        if (!byTopic.has(topic)) byTopic.set(topic, []);
        byTopic.get(topic)!.push({ key: envelope.key, value: JSON.stringify(envelope) });
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function startReporting(prefix: string, database: string): Promise<{ child: ChildProcess; url: string }> {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  // REBUILD_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to see where the instance spends its time.
  const nodeArgs = (process.env.REBUILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '-r', '@swc-node/register', join(ROOT, 'services/reporting/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(PORT),
        HOST: '127.0.0.1',
        // REBUILD_LOG_LEVEL=debug shows the rebuild's phases (each topic's replay, the index builds, the switch).
        LOG_LEVEL: process.env.REBUILD_LOG_LEVEL ?? 'warn',
        DATABASE_URL: url.toString(),
        KAFKA_BROKERS: BROKERS,
        KAFKA_TOPIC_PREFIX: prefix,
        AUTH_PUBLIC_KEY: (await testKeyPair()).publicKeyPem,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${PORT}`;
  await until(
    'the scratch reporting instance to answer /health',
    async () => (await fetch(`${base}/health`)).ok,
    120_000,
    500,
  );
  return { child, url: base };
}

/** CPU seconds (user + system) a process used so far, from /proc (Linux); 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of the instance and of its database's backends: on a shared,
 * loaded machine the wall-clock rate varies a lot, the CPU spent far less.
 */
async function cpuOf(admin: Client, database: string, instance: number): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [
    database,
  ]);
  return new Map([instance, ...rows.map((r) => r.pid)].map((pid) => [pid, cpuSeconds(pid)]));
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

async function main(): Promise<void> {
  const admin = new Client({ connectionString: SERVER_URL });
  await admin.connect();
  const kafkaAdmin = new Kafka({ brokers: BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await kafkaAdmin.connect();
  const reuse = process.env.REBUILD_PREFIX;
  const prefix = reuse ?? `helperrebuild.${Date.now().toString(36)}.`;
  // One database per data set: another run (another data set) never drops it.
  const database = `pass_helperrebuild_${prefix.split('.')[1]}`;
  const operator = await testToken({ role: 'operator', subject: 'rebuild-rate' });
  try {
    if (!reuse) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      const reporting = await startReporting(prefix, database);
      try {
        const scenario = scenarioEvents(EVENTS);
        // The live consumer reads the topics concurrently: causes are published, and consumed, before their effects.
        for (const [name, events] of Object.entries(scenario)) {
          log(`publishing ${events.length} ${name} events under ${prefix}`);
          await publish(prefix, events);
          await settle([reporting.url], 900_000);
        }
      } finally {
        await stop(reporting.child);
      }
    }
    for (let run = 1; run <= RUNS; run++) {
      const reporting = await startReporting(prefix, database);
      try {
        await settle([reporting.url], 900_000);
        log(`run ${run}: POST /rebuilds`);
        const before = await cpuOf(admin, database, reporting.child.pid!);
        const result = await runRebuild({
          reportingUrl: reporting.url,
          operatorToken: operator,
          timeoutMs: 900_000,
          log,
        });
        const after = await cpuOf(admin, database, reporting.child.pid!);
        const spent = (pid: number) => Math.max(0, (after.get(pid) ?? 0) - (before.get(pid) ?? 0));
        const nodeCpu = spent(reporting.child.pid!);
        const postgresCpu = [...new Set([...before.keys(), ...after.keys()])]
          .filter((pid) => pid !== reporting.child.pid)
          .reduce((sum, pid) => sum + spent(pid), 0);
        const cpu = {
          nodeCpuSeconds: nodeCpu,
          postgresCpuSeconds: Math.round(postgresCpu * 100) / 100,
          nodeCpuMicrosPerEvent: Math.round((nodeCpu * 1e6) / result.replayedEvents),
        };
        log(`run ${run}: ${JSON.stringify({ ...result, ...cpu })}`);
      } finally {
        await stop(reporting.child);
      }
    }
  } finally {
    if (process.env.REBUILD_KEEP === '1')
      log(`database ${database} and topics kept: REBUILD_PREFIX=${prefix} replays them`);
    else {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      const topics = (await kafkaAdmin.listTopics()).filter((topic) => topic.startsWith(prefix));
      await kafkaAdmin.deleteTopics({ topics, timeout: 30_000 }).catch(() => undefined);
    }
    await admin.end();
    await kafkaAdmin.disconnect();
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
