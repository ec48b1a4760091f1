// Drives POST /redemptions with autocannon, each request a fresh pass code, a
// unique Idempotency-Key and the token of a site in the pass's territory.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { Client } from 'pg';
import { sleep } from './http';
import { cpuBreakdownSince, cpuSnapshot } from './machine';
import type { SeededProgram } from './seed';
import { percentile, round } from './stats';

/** Autocannon instances a fixed rate is spread over, started evenly across one second. */
const FIXED_RATE_WAVES = 50;

export interface CodePool {
  next(): { code: string; token: string } | null;
  remaining(): number;
}

/** Interleaves the programs' codes; each goes to one of its program's sites in turn. */
export function codePool(programs: SeededProgram[], siteTokens: Map<string, string>): CodePool {
  const items: Array<{ code: string; token: string }> = [];
  const longest = Math.max(...programs.map((p) => p.codes.length));
  for (let i = 0; i < longest; i++) {
    for (const program of programs) {
      if (i >= program.codes.length) continue;
      items.push({ code: program.codes[i], token: siteTokens.get(program.siteIds[i % program.siteIds.length])! });
    }
  }
  let cursor = 0;
  return { next: () => (cursor < items.length ? items[cursor++] : null), remaining: () => items.length - cursor };
}

export interface PhaseResult {
  name: string;
  targetRate: number | null;
  connections: number;
  durationSeconds: number;
  requests: number;
  succeeded: number;
  sustainedPerSecond: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** autocannon instances the fixed rate was spread over (1 at the maximum). */
  waves: number;
  statuses: Record<string, number>;
  refusals: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU seconds each component used during the phase (postgres: all its processes, i.e. other databases' work too). */
  cpuSeconds: Record<string, number>;
  /** PostgreSQL's CPU seconds by the database its backends served (cpuBreakdownSince). */
  postgresCpuSecondsByDatabase: Record<string, number>;
  lag: LagResult;
}

export interface LagResult {
  source: string;
  sampled: number;
  ledger: { posted: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
  reporting: { processed: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };
}

export async function runPhase(options: {
  name: string;
  url: string;
  pool: CodePool;
  rate: number | null;
  connections: number;
  durationSeconds: number;
  databases: { redemption: Client; funding: Client; reporting: Client };
  programIds: string[];
  lagSample: number;
  lagTimeoutMs: number;
  log: (message: string) => void;
}): Promise<PhaseResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const refusals: Record<string, number> = {};
  const budget = options.pool.remaining();
  const planned = options.rate ? options.rate * options.durationSeconds : budget;
  if (budget < Math.min(planned, options.connections * 2))
    throw new Error(`Not enough passes left for phase ${options.name}: ${budget}; raise BENCH_PASSES`);
  if (budget < planned)
    options.log(`only ${budget} passes left for phase ${options.name} (planned ${planned}): it may end early`);

  const phaseStart = new Date();
  const cpuBefore = cpuSnapshot();
  const request = {
    method: 'POST',
    path: '/redemptions',
    setupRequest: (request: any) => {
      const item = options.pool.next();
      if (!item) return request; // The caps below stop the run before this happens.
      return {
        ...request,
        headers: {
          authorization: `Bearer ${item.token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ codes: [item.code] }),
      };
    },
    onResponse: (status: number, body: string) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 400) {
        let code = `HTTP_${status}`;
        try {
          code = JSON.parse(body).code ?? code;
        } catch {
          // Not a problem document: count it by status.
        }
        refusals[code] = (refusals[code] ?? 0) + 1;
      }
    },
  };
  // autocannon paces a rate per connection in one-second rounds: every connection sends its share at the top of
  // each second, so one instance turns 500/s into a burst of 500 requests per second. A fixed rate is therefore
  // spread over instances started evenly across the second, each with a small share: arrivals come every few ms.
  const waves = options.rate ? Math.min(options.rate, FIXED_RATE_WAVES) : 1;
  const cap = Math.max(options.connections, Math.min(budget, Math.ceil(planned * 1.05)));
  const results: any[] = await Promise.all(
    Array.from({ length: waves }, async (_, wave) => {
      if (options.rate) await sleep((wave * 1000) / waves);
      const share = options.rate ? Math.floor(options.rate / waves) + (wave < options.rate % waves ? 1 : 0) : 0;
      const instance: any = autocannon({
        url: options.url,
        connections: options.rate ? Math.max(1, Math.round(options.connections / waves)) : options.connections,
        duration: options.durationSeconds,
        overallRate: options.rate ? share : undefined,
        maxOverallRequests: Math.ceil(cap / waves),
        timeout: 10,
        requests: [request],
      } as any);
      instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
        latencies.push(responseTime),
      );
      return await instance;
    }),
  );
  const result = {
    requests: { total: results.reduce((sum, r) => sum + r.requests.total, 0) },
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
  };
  const phaseEnd = new Date();
  const { components: cpuSeconds, postgresByDatabase: postgresCpuSecondsByDatabase } = cpuBreakdownSince(cpuBefore);
  const seconds = (phaseEnd.getTime() - phaseStart.getTime()) / 1000;
  const succeeded = (statuses['201'] ?? 0) + (statuses['200'] ?? 0);
  options.log(
    `${options.name}: ${result.requests.total} requests, ${succeeded} redeemed, ${(succeeded / seconds).toFixed(0)}/s, p99 ${percentile(latencies, 99)?.toFixed(1)} ms`,
  );
  const lag = await measureLag({ ...options, from: phaseStart, to: phaseEnd });
  options.log(
    `${options.name}: lag to the ledger p50 ${lag.ledger.p50Ms} / p99 ${lag.ledger.p99Ms} ms, to reporting p50 ${lag.reporting.p50Ms} / p99 ${lag.reporting.p99Ms} ms (${lag.sampled} sampled)`,
  );
  return {
    name: options.name,
    targetRate: options.rate,
    connections: options.connections,
    waves,
    durationSeconds: round(seconds, 2)!,
    requests: result.requests.total,
    succeeded,
    sustainedPerSecond: round(succeeded / seconds, 1)!,
    latencyMs: {
      p50: round(percentile(latencies, 50), 2),
      p95: round(percentile(latencies, 95), 2),
      p99: round(percentile(latencies, 99), 2),
      max: round(percentile(latencies, 100), 2),
    },
    statuses,
    refusals,
    errors: result.errors,
    timeouts: result.timeouts,
    cpuSeconds,
    postgresCpuSecondsByDatabase,
    lag,
  };
}

/**
 * Lag from the redemption's commit to its effects, from the databases (read
 * only): the VoucherRedeemed outbox row's created_at (the redemption
 * transaction's start, a few ms before its commit) against the time funding
 * and reporting recorded the event in their inbox. Consumers write their
 * inbox rows last in a batch's transaction, with the statement's clock, so
 * that time is within milliseconds of the commit that made the effects
 * visible; for funding, the event's ledger transfers must exist too.
 */
async function measureLag(options: {
  from: Date;
  to: Date;
  databases: { redemption: Client; funding: Client; reporting: Client };
  programIds: string[];
  lagSample: number;
  lagTimeoutMs: number;
  log: (message: string) => void;
}): Promise<LagResult> {
  const { rows: sample } = await options.databases.redemption.query(
    `SELECT event_id, created_at FROM outbox_messages
     WHERE event_type = 'VoucherRedeemed' AND created_at BETWEEN $1 AND $2 AND payload->'payload'->>'programId' = ANY($3::text[])
     ORDER BY random() LIMIT $4`,
    [options.from, options.to, options.programIds, options.lagSample],
  );
  const ids = sample.map((row) => row.event_id as string);
  const committed = new Map(sample.map((row) => [row.event_id as string, (row.created_at as Date).getTime()]));
  const ledger = new Map<string, number>();
  const reporting = new Map<string, number>();
  const deadline = Date.now() + options.lagTimeoutMs;
  while (ids.length > 0 && (ledger.size < ids.length || reporting.size < ids.length) && Date.now() < deadline) {
    const missingLedger = ids.filter((id) => !ledger.has(id));
    if (missingLedger.length > 0) {
      const { rows } = await options.databases.funding.query(
        `SELECT i.event_id, i.processed_at AS at FROM inbox_records i
          WHERE i.event_id = ANY($1::uuid[]) AND EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.source_event_id = i.event_id)`,
        [missingLedger],
      );
      for (const row of rows) ledger.set(row.event_id, (row.at as Date).getTime());
    }
    const missingReporting = ids.filter((id) => !reporting.has(id));
    if (missingReporting.length > 0) {
      const { rows } = await options.databases.reporting.query(
        'SELECT event_id, max(processed_at) AS at FROM inbox_records WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
        [missingReporting],
      );
      for (const row of rows) reporting.set(row.event_id, (row.at as Date).getTime());
    }
    if (ledger.size < ids.length || reporting.size < ids.length) await sleep(1000);
  }
  if (ledger.size < ids.length || reporting.size < ids.length) {
    options.log(
      `lag: gave up waiting; ${ledger.size}/${ids.length} posted in the ledger, ${reporting.size}/${ids.length} in reporting`,
    );
  }
  const lags = (seen: Map<string, number>) => [...seen].map(([id, at]) => at - committed.get(id)!);
  const summary = (values: number[]) => ({
    p50Ms: round(percentile(values, 50), 1),
    p99Ms: round(percentile(values, 99), 1),
    maxMs: round(percentile(values, 100), 1),
  });
  return {
    source:
      'databases (read only): redemption outbox_messages.created_at → funding and reporting inbox_records.processed_at (written last in their batch, clock_timestamp())',
    sampled: ids.length,
    ledger: { posted: ledger.size, ...summary(lags(ledger)) },
    reporting: { processed: reporting.size, ...summary(lags(reporting)) },
  };
}
