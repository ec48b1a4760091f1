// The database's own limit for one redemption: pgbench runs the SQL that
// POST /redemptions executes (services/redemption/src/redemptions/*.repository.ts,
// passes/pass.repository.ts, sites/site.repository.ts, the outbox insert) on a
// scratch database with the redemption schema (pg_dump --schema-only of the
// service's database, read only) and a pass table of the same shape.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { CpuWindow } from './machine';
import { cpuWindow } from './machine';

const SCRATCH = 'pass_bench_pgbench';

/**
 * pgbench replaces every `:word` of a script, even inside quotes, so the
 * literals below carry no colon before a letter or digit (times as 15-51-06).
 */
const literal = (value: unknown) =>
  JSON.stringify(value)
    .replace(/":/g, '": ')
    .replace(/:(?=\w)/g, '-')
    .replace(/'/g, "''");

/** Envelope and answer of the same size as the service's (one pass). */
const ENVELOPE = literal({
  key: '71ac744e-61e5-4edf-9347-748af175dca2',
  type: 'VoucherRedeemed',
  eventId: '051c3f45-f6cb-44cc-984f-1fade0b20156',
  payload: {
    passId: 'a2672afb-48e1-43ee-8698-3720dbe3a0dd',
    siteId: '9164c7ad-394a-4586-b341-62e6ecc87f96',
    agencyId: '6212d2bf-5e1f-4d05-abcd-d14d7fa32500',
    bookletId: '71ac744e-61e5-4edf-9347-748af175dca2',
    programId: '819f6b9d-e3da-48ff-aa6a-dcceee717366',
    redeemedAt: '2026-11-22T15:51:06.209Z',
    redeemedBy: 'bench-site-1',
    amountCents: 1000,
    redemptionId: '8397b194-5e5e-4bdb-b28a-88dfea762467',
  },
  producer: 'redemption',
  occurredAt: '2026-11-22T15:51:06.209Z',
  causationId: null,
  correlationId: '28e5bc25-923a-46b4-a20a-74863960f311',
  schemaVersion: 1,
});
const HEADERS = literal({
  'event-id': '051c3f45-f6cb-44cc-984f-1fade0b20156',
  'event-type': 'VoucherRedeemed',
  'correlation-id': '28e5bc25-923a-46b4-a20a-74863960f311',
  'schema-version': '1',
});
const RESPONSE = literal({
  passes: [{ passId: 'a2672afb-48e1-43ee-8698-3720dbe3a0dd', amountCents: 1000 }],
  siteId: '9164c7ad-394a-4586-b341-62e6ecc87f96',
  redeemedAt: '2026-11-22T15:51:06.209Z',
  totalCents: 1000,
  redemptionId: '8397b194-5e5e-4bdb-b28a-88dfea762467',
});

/**
 * One redemption of one fresh pass, statement for statement as POST
 * /redemptions sends them: the failed-attempt guard, then in one transaction
 * the idempotency key claim, the site's share lock, the pass lock by code hash,
 * the single statement that writes the redemption, and the outbox row.
 * The site id is written in the script: pgbench cannot type an untyped parameter
 * the way node-pg's server-side inference does in every position.
 */
function script(siteId: string): string {
  const site = `'${siteId}'`;
  return `SELECT n, h, '{' || h || '}' AS hashes, 'k' || n AS k,
       md5('r' || n)::uuid AS rid, '{' || md5('p' || n)::uuid || '}' AS pids, md5('b' || n) AS mkey
  FROM nextval('bench_n') AS n, encode(sha256(convert_to(n::text, 'UTF8')), 'hex') AS h \\gset
SELECT greatest((SELECT attempted_at FROM failed_attempts WHERE site_id = ${site} AND attempted_at > now() - make_interval(secs => 600) ORDER BY attempted_at DESC OFFSET 10 - 1 LIMIT 1), (SELECT attempted_at FROM failed_attempts WHERE client_address = '127.0.0.1' AND attempted_at > now() - make_interval(secs => 600) ORDER BY attempted_at DESC OFFSET 10 - 1 LIMIT 1)) + make_interval(secs => 600) AS until;
BEGIN;
INSERT INTO redemption_requests (site_id, idempotency_key, request_hash) VALUES (${site}, :k, :h) ON CONFLICT (site_id, idempotency_key) DO NOTHING RETURNING true;
SELECT * FROM sites WHERE id = ${site} FOR SHARE;
SELECT p.id, p.booklet_id, p.program_id, p.agency_id, p.code_hash, p.amount_cents, p.territory, p.status, p.tolerance_days, to_char(p.valid_from, 'YYYY-MM-DD') AS valid_from, to_char(p.valid_until, 'YYYY-MM-DD') AS valid_until, r.redeemed_at, r.site_id AS redeemed_at_site_id FROM passes p LEFT JOIN redemption_lines l ON l.pass_id = p.id AND l.cancelled_at IS NULL LEFT JOIN redemptions r ON r.id = l.redemption_id WHERE p.code_hash = ANY(:hashes::bpchar[]) ORDER BY p.id FOR UPDATE OF p;
WITH redemption AS (INSERT INTO redemptions (id, site_id, redeemed_by, redeemed_at, total_cents) VALUES (:rid, ${site}, 'bench-site-1', now(), 1000)), lines AS (INSERT INTO redemption_lines (redemption_id, pass_id, amount_cents) SELECT :rid, unnest(:pids::uuid[]), unnest('{1000}'::int[])), answer AS (UPDATE redemption_requests SET redemption_id = :rid, response = '${RESPONSE}'::jsonb WHERE site_id = ${site} AND idempotency_key = :k), redeemed AS (UPDATE passes SET status = 'redeemed', status_changed_at = now() WHERE id = ANY(:pids::uuid[]) AND status = 'issued' RETURNING id) SELECT count(*)::int AS redeemed FROM redeemed;
INSERT INTO outbox_messages (event_id, topic, message_key, event_type, payload, headers) VALUES (gen_random_uuid(), 'pass.redemption.events', :mkey, 'VoucherRedeemed', '${ENVELOPE}'::jsonb, '${HEADERS}'::jsonb) RETURNING id, created_at;
END;
`;
}

/** The protocol node-pg uses (parse, bind, execute per statement), and the database's best case (statements prepared once). */
const PROTOCOLS = [
  { mode: 'extended', name: 'as the service sends it (extended protocol, unnamed statements)' },
  { mode: 'prepared', name: 'the database at its best (statements prepared once per connection)' },
] as const;

export interface PgbenchResult {
  scratchDatabase: string;
  passesInTable: number;
  clients: number;
  durationSeconds: number;
  variants: Array<{
    name: string;
    tps: number | null;
    latencyAverageMs: number | null;
    failed: number | null;
    /**
     * Where the machine's CPU went during the run; pgbench's own is
     * `endedChildrenSeconds`, and its backends, ended with it, are in
     * PostgreSQL's `background`.
     */
    cpu: CpuWindow;
    output: string;
  }>;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function runPgbench(options: {
  serverUrl: string;
  sourceDatabase: string;
  passes: number;
  clients: number;
  durationSeconds: number;
  workDir: string;
  log: (message: string) => void;
}): Promise<PgbenchResult> {
  const admin = new Client({ connectionString: options.serverUrl });
  await admin.connect();
  const scratchUrl = databaseUrl(options.serverUrl, SCRATCH);
  const variants: PgbenchResult['variants'] = [];
  try {
    for (const protocol of PROTOCOLS) {
      await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`);
      await admin.query(`CREATE DATABASE ${SCRATCH}`);
      // Same tables, indexes and constraints as the service's database; its sites as data (a handful of rows).
      const schema = execFileSync(
        'pg_dump',
        ['--schema-only', '--no-owner', '--no-privileges', databaseUrl(options.serverUrl, options.sourceDatabase)],
        { maxBuffer: 64 << 20 },
      );
      execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', scratchUrl], {
        input: schema,
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      const sites = execFileSync(
        'pg_dump',
        ['--data-only', '--no-owner', '-t', 'sites', databaseUrl(options.serverUrl, options.sourceDatabase)],
        { maxBuffer: 64 << 20 },
      );
      execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', scratchUrl], {
        input: sites,
        stdio: ['pipe', 'ignore', 'inherit'],
      });
      const scratch = new Client({ connectionString: scratchUrl });
      await scratch.connect();
      try {
        const { rows } = await scratch.query('SELECT id FROM sites ORDER BY id LIMIT 1');
        if (!rows[0]) throw new Error('No site to redeem at in the scratch database');
        await scratch.query(
          `INSERT INTO passes (id, booklet_id, program_id, agency_id, code_hash, amount_cents, territory, valid_from, valid_until, tolerance_days)
           SELECT md5('p' || i)::uuid, md5('b' || (i / 10))::uuid, '819f6b9d-e3da-48ff-aa6a-dcceee717366', '6212d2bf-5e1f-4d05-abcd-d14d7fa32500',
                  encode(sha256(convert_to(i::text, 'UTF8')), 'hex'), 1000, ARRAY['31'], current_date - 30, current_date + 365, 31
           FROM generate_series(1, $1::int) AS i`,
          [options.passes],
        );
        await scratch.query('CREATE SEQUENCE bench_n');
        // The passes only, as the service's database has them. Statistics saying that redemptions, their lines and the
        // outbox are empty would let each pgbench connection plan sequential scans of them once, for the whole run:
        // measured on a fresh scratch copy, 838 tps in the first 10 s fell to 387 by the 40th, where a run with
        // these tables never analyzed (the service's case, whose planner then assumes a few pages) holds 1,130-1,270.
        await scratch.query('ANALYZE passes');
        // Whatever earlier phases left dirty is written now, not during the measurement; each phase of the benchmark starts so too.
        await scratch.query('CHECKPOINT');
        mkdirSync(options.workDir, { recursive: true });
        const file = join(options.workDir, 'redemption.pgbench.sql');
        writeFileSync(file, script(rows[0].id));
        options.log(
          `pgbench (${protocol.mode}): ${options.clients} clients for ${options.durationSeconds} s on ${options.passes} passes`,
        );
        const endCpuWindow = cpuWindow();
        const run = spawnSync(
          'pgbench',
          [
            '-n',
            '-M',
            protocol.mode,
            '-c',
            String(options.clients),
            '-j',
            '2',
            '-T',
            String(options.durationSeconds),
            '-f',
            file,
            scratchUrl,
          ],
          { encoding: 'utf8' },
        );
        const cpu = endCpuWindow();
        const output = `${run.stdout}\n${run.stderr}`.trim();
        const tps = output.match(/tps = ([\d.]+)/);
        const latency = output.match(/latency average = ([\d.]+) ms/);
        const failed = output.match(/number of failed transactions: (\d+)/);
        variants.push({
          name: protocol.name,
          tps: tps ? Number(tps[1]) : null,
          latencyAverageMs: latency ? Number(latency[1]) : null,
          failed: failed ? Number(failed[1]) : null,
          cpu,
          output: output.split('\n').slice(-12).join('\n'),
        });
        options.log(`pgbench ${protocol.mode}: ${tps ? tps[1] : 'no'} tps`);
      } finally {
        await scratch.end();
      }
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${SCRATCH}`).catch(() => undefined);
    await admin.end();
  }
  return {
    scratchDatabase: SCRATCH,
    passesInTable: options.passes,
    clients: options.clients,
    durationSeconds: options.durationSeconds,
    variants,
  };
}
