// The machine's description and the services' resident memory, from /proc.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export const SERVICE_NAMES = ['issuance', 'redemption', 'funding', 'reporting'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export async function describeMachine(serverUrl: string, root: string) {
  const pg = new Client({ connectionString: serverUrl });
  await pg.connect();
  const [{ version }] = (await pg.query('SELECT version()')).rows;
  await pg.end();
  let kafka =
    process.env.KAFKA_BROKERS && process.env.KAFKA_BROKERS !== '127.0.0.1:9092'
      ? `external (${process.env.KAFKA_BROKERS})`
      : 'unknown';
  try {
    const jar = readdirSync(join(root, '.local', 'kafka', 'lib')).find((name) =>
      /^kafka_[\d.]+-[\d.]+\.jar$/.test(name),
    );
    if (jar) kafka = jar.replace(/^kafka_[\d.]+-/, '').replace(/\.jar$/, '');
  } catch {
    // No local broker: KAFKA_BROKERS points elsewhere.
  }
  let load: string;
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    load = 'n/a';
  }
  return {
    nproc: Number(execFileSync('nproc').toString().trim()),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: String(version).split(' on ')[0],
    kafka,
    loadAverageAtStart: load,
    cpuCalibrationMsAtStart: cpuCalibrationMs(),
    loopbackRoundTripMicrosAtStart: await loopbackRoundTripMicros(),
  };
}

/**
 * Milliseconds this process takes for a fixed piece of CPU work (JSON and
 * SHA-256, the kind of work the services do), best of three. A shared host's
 * speed can drift between runs, or within one: taken at the start and at the
 * end, it tells whether two reports were measured on the same machine speed.
 */
export function cpuCalibrationMs(): number {
  let best = Infinity;
  const block = Buffer.alloc(1 << 20, 7);
  for (let round = 0; round < 3; round++) {
    const started = process.hrtime.bigint();
    let length = 0;
    for (let i = 0; i < 1_000_000; i++) length += JSON.stringify({ pass: i, site: `s${i}` }).length;
    for (let i = 0; i < 64; i++) createHash('sha256').update(block).digest();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    if (length === 0) throw new Error('unreachable: keeps the loop from being optimised away');
  }
  return Math.round(best);
}

/** The echo server of loopbackRoundTripMicros: a separate process, so each round trip wakes another process, as a query does. */
const ECHO_SERVER = `require('net').createServer((s) => { s.setNoDelay(true); s.pipe(s); }).listen(0, '127.0.0.1', function () { process.send(this.address().port); })`;

/**
 * Microseconds per round trip of a small message to another process over
 * loopback TCP, best of three runs of 2,000: what each SQL statement, Kafka
 * request and HTTP call pays besides its own work (system calls, wake-ups,
 * the scheduler). cpuCalibrationMs does not see that cost, which varies between
 * virtual machines as much as their compute speed does.
 */
export async function loopbackRoundTripMicros(): Promise<number> {
  const server = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', (message) => resolve(Number(message)));
      server.once('error', reject);
    });
    const socket = connect({ port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 2000; i++) {
        await new Promise<void>((resolve) => {
          socket.once('data', () => resolve());
          socket.write('x');
        });
      }
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e3 / 2000);
    }
    socket.destroy();
    return Math.round(best * 10) / 10;
  } finally {
    server.kill();
  }
}

/** The port each measured service answers on (the benchmark's own URLs). */
const SERVICE_PORTS: Record<ServiceName, string> = {
  issuance: new URL(process.env.ISSUANCE_URL ?? 'http://127.0.0.1:3001').port,
  redemption: new URL(process.env.REDEMPTION_URL ?? 'http://127.0.0.1:3002').port,
  funding: new URL(process.env.FUNDING_URL ?? 'http://127.0.0.1:3003').port,
  reporting: new URL(process.env.REPORTING_URL ?? 'http://127.0.0.1:3004').port,
} as Record<ServiceName, string>;

/**
 * The pid of each service's Node process, found by its entry point (ours or
 * `npm run up`'s) and, when its environment names a port, that port: other
 * instances of the same build (the expiry's scratch instance, a developer's
 * own) are not the system being measured.
 */
export function servicePids(): Map<ServiceName, number[]> {
  const pids = new Map<ServiceName, number[]>(SERVICE_NAMES.map((name) => [name, []]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    let port: string | undefined;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      port = readFileSync(`/proc/${entry}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith('PORT='))
        ?.slice(5);
    } catch {
      continue;
    }
    for (const name of SERVICE_NAMES) {
      if (!new RegExp(`services/${name}/src/main(\\.js|\\.ts)?\\b`).test(cmdline)) continue;
      if (port === undefined || port === SERVICE_PORTS[name] || SERVICE_PORTS[name] === '')
        pids.get(name)!.push(Number(entry));
    }
  }
  return pids;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples VmRSS every `intervalMs` and keeps each service's maximum; also reads the kernel's VmHWM at the end. */
export class MemorySampler {
  private readonly peaks = new Map<ServiceName, number>();
  private timer?: NodeJS.Timeout;
  private pids = servicePids();

  start(intervalMs = 500): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    for (const [name, pids] of this.pids) {
      for (const pid of pids) {
        const rss = statusField(pid, 'VmRSS');
        if (rss !== null && rss > (this.peaks.get(name) ?? 0)) this.peaks.set(name, rss);
      }
    }
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    const mib = (bytes: number | null | undefined) => (bytes ? Math.round((bytes / 2 ** 20) * 10) / 10 : null);
    return Object.fromEntries(
      SERVICE_NAMES.map((name) => {
        const pids = this.pids.get(name)!;
        const hwm = pids.map((pid) => statusField(pid, 'VmHWM') ?? 0).reduce((a, b) => Math.max(a, b), 0);
        return [name, { pids, sampledPeakRssMiB: mib(this.peaks.get(name)), kernelPeakRssMiB: mib(hwm) }];
      }),
    ) as Record<ServiceName, { pids: number[]; sampledPeakRssMiB: number | null; kernelPeakRssMiB: number | null }>;
  }
}

function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** CPU seconds used so far by each process of interest, by component: each service, PostgreSQL, Kafka (java) and this benchmark (autocannon included). */
export interface CpuSnapshot {
  /** `database`: for a PostgreSQL backend, the database it serves (from its process title); `background` for the server's own processes. */
  byProcess: Map<number, { component: string; seconds: number; database?: string }>;
}

/**
 * What a PostgreSQL process works for, from its title: "postgres: [<cluster>: ]<user> <database> <host>(<port>) <activity>"
 * for a client backend, "postgres: [<cluster>: ]checkpointer" and the like otherwise.
 */
function postgresDatabaseOf(pid: number): string {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return /^postgres: (?:[^ ]+: )?[^ ]+ ([^ ]+) (?:[^ ]+\(\d+\)|\[local\])/.exec(title)?.[1] ?? 'background';
  } catch {
    return 'background';
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const byPid = new Map<number, string>();
  for (const [name, pids] of servicePids()) for (const pid of pids) byPid.set(pid, name);
  const byProcess: CpuSnapshot['byProcess'] = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime + stime
    const pid = Number(entry);
    const component =
      byPid.get(pid) ??
      (pid === process.pid ? 'bench' : comm === 'postgres' ? 'postgres' : comm === 'java' ? 'kafka' : null);
    // The postmaster also carries what its ended backends used (cutime + cstime), so connections that come and go still count.
    if (comm === 'postgres' && commOf(Number(fields[1])) !== 'postgres')
      seconds += (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
    if (component === 'postgres') byProcess.set(pid, { component, seconds, database: postgresDatabaseOf(pid) });
    else if (component) byProcess.set(pid, { component, seconds });
  }
  return { byProcess };
}

/**
 * CPU seconds per component since `before`, summed over the processes seen
 * both times (a process that ended meanwhile cannot say what it used; a
 * PostgreSQL backend's share is then in the postmaster's). PostgreSQL counts
 * every database of the server, so other work on the machine shows there.
 */
export function cpuSince(before: CpuSnapshot): Record<string, number> {
  return cpuBreakdownSince(before).components;
}

/**
 * As cpuSince, with PostgreSQL's share split by the database its backends
 * serve; `background` is the server's own processes (WAL writer, checkpointer,
 * autovacuum) and what the backends that ended during the phase used in it
 * (the postmaster collects it, with no database to name).
 */
export function cpuBreakdownSince(before: CpuSnapshot): {
  components: Record<string, number>;
  postgresByDatabase: Record<string, number>;
} {
  const after = cpuSnapshot();
  const totals: Record<string, number> = {
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, 0])),
    postgres: 0,
    kafka: 0,
    bench: 0,
  };
  const byDatabase: Record<string, number> = {};
  for (const [pid, now] of after.byProcess) {
    const then = before.byProcess.get(pid);
    // A backend born during the phase: all its time belongs to the phase.
    const spent = then ? now.seconds - then.seconds : now.component === 'postgres' ? now.seconds : 0;
    totals[now.component] += spent;
    if (now.database !== undefined) byDatabase[now.database] = (byDatabase[now.database] ?? 0) + spent;
  }
  // A backend that ended during the phase is now in the postmaster's total for its whole life: what it had used
  // before the phase was counted in the first snapshot already (under its own pid), so it is taken off here.
  for (const [pid, then] of before.byProcess) {
    if (then.component !== 'postgres' || after.byProcess.has(pid)) continue;
    totals.postgres -= then.seconds;
    byDatabase.background = (byDatabase.background ?? 0) - then.seconds;
  }
  const rounded = (record: Record<string, number>) =>
    Object.fromEntries(Object.entries(record).map(([name, seconds]) => [name, Math.round(seconds * 10) / 10]));
  return { components: rounded(totals), postgresByDatabase: rounded(byDatabase) };
}

/** CPU seconds used by this process's children that have ended and been waited for (a pgbench run by spawnSync, say). */
function endedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in USER_HZ ticks
}

/** CPU seconds the whole machine has spent busy (every CPU, every process, the kernel), from /proc/stat. */
function machineBusyCpuSeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = ticks.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return busy / 100;
}

export interface CpuWindow {
  components: Record<string, number>;
  postgresByDatabase: Record<string, number>;
  /** This process's children that ended within the window (a pgbench run). */
  endedChildrenSeconds: number;
  /** The whole machine, against what its CPUs could give in the window: a figure held down by other work shows it. */
  machineBusySeconds: number;
  machineCapacitySeconds: number;
}

/** Starts measuring where the machine's CPU goes; the function returned ends the window and tells. */
export function cpuWindow(): () => CpuWindow {
  const before = cpuSnapshot();
  const childrenBefore = endedChildrenCpuSeconds();
  const machineBefore = machineBusyCpuSeconds();
  const started = performance.now();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const tenths = (value: number) => Math.round(value * 10) / 10;
    return {
      ...cpuBreakdownSince(before),
      endedChildrenSeconds: tenths(endedChildrenCpuSeconds() - childrenBefore),
      machineBusySeconds: tenths(machineBusyCpuSeconds() - machineBefore),
      machineCapacitySeconds: tenths(cpus().length * seconds),
    };
  };
}
