// The soak's own system on this machine: a PostgreSQL cluster started with the
// server's tools, a Kafka broker from scripts/kafka.sh, and two instances of
// every service from dist/, each on its own port. Each part can be killed
// hard and started again; nothing here touches the machine's own server or broker.
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DatabaseUrls, Endpoints, ServiceName } from './model';

const run = promisify(execFile);
export const SERVICES: ServiceName[] = ['issuance', 'redemption', 'funding', 'reporting'];
const POSTGRES_BIN = process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on now, from the system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * PostgreSQL refuses to run as root: as root, its tools run as the `postgres`
 * user (whose account the Debian package creates), else as whoever we are.
 */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function postgresCanWrite(dir: string): boolean {
  if (process.getuid?.() !== 0) return true;
  try {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    return spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

export class PostgresServer {
  readonly dataDir: string;
  private readonly logFile: string;

  constructor(
    root: string,
    readonly port: number,
    private readonly log: (message: string) => void,
  ) {
    // Under .local/ when the postgres user may write there; a checkout in a private home falls back to /tmp.
    const preferred = join(root, 'postgres');
    const base = postgresCanWrite(preferred) ? preferred : join(tmpdir(), `pass-chaos-postgres-${port}`);
    if (base !== preferred) log(`the postgres user cannot write under ${root}: its data goes to ${base}`);
    mkdirSync(base, { recursive: true });
    chmodSync(base, 0o777);
    this.dataDir = join(base, 'data');
    this.logFile = join(base, 'postgres.log');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async init(): Promise<void> {
    if (existsSync(join(this.dataDir, 'PG_VERSION'))) return;
    const [command, args] = asPostgres(join(POSTGRES_BIN, 'initdb'), [
      '-D',
      this.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await run(command, args);
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c max_connections=300',
      '-c shared_buffers=128MB',
    ].join(' ');
    const [command, args] = asPostgres(join(POSTGRES_BIN, 'pg_ctl'), [
      'start',
      '-w',
      '-t',
      '120',
      '-D',
      this.dataDir,
      '-l',
      this.logFile,
      '-o',
      options,
    ]);
    await run(command, args);
  }

  /** Immediate mode: every server process quits at once, as in a crash; the next start replays the WAL. */
  async stopImmediately(): Promise<void> {
    const [command, args] = asPostgres(join(POSTGRES_BIN, 'pg_ctl'), ['stop', '-m', 'immediate', '-D', this.dataDir]);
    await run(command, args);
  }

  async stop(): Promise<void> {
    const [command, args] = asPostgres(join(POSTGRES_BIN, 'pg_ctl'), ['stop', '-m', 'fast', '-D', this.dataDir]);
    await run(command, args).catch(() => undefined);
  }
}

export class KafkaBroker {
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly repoRoot: string,
    readonly dir: string,
    readonly port: number,
    controllerPort: number,
  ) {
    // Without KAFKA_BROKERS, scripts/kafka.sh manages the broker of KAFKA_LOCAL_DIR.
    const { KAFKA_BROKERS: _external, ...env } = process.env;
    this.env = {
      ...env,
      KAFKA_LOCAL_DIR: dir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
    };
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await run('bash', [join(this.repoRoot, 'scripts/kafka.sh'), 'start'], { env: this.env, cwd: this.repoRoot });
  }

  /** SIGKILL of the JVM: no clean shutdown, the log is recovered at the next start. */
  killHard(): void {
    const pid = Number(readFileSync(join(this.dir, 'kafka.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await run('bash', [join(this.repoRoot, 'scripts/kafka.sh'), 'stop'], { env: this.env, cwd: this.repoRoot }).catch(
      () => undefined,
    );
  }
}

/** One running copy of a service, started from dist/ with the soak's database, broker and clock. */
export class ServiceInstance {
  private child?: ChildProcess;
  private paused = false;
  private stopping = false;
  /** Exits we did not cause (a crash, or giving up at start while the database was down): restarted, as an orchestrator would. */
  readonly crashes: Array<{ at: number; code: number | null; signal: string | null }> = [];

  constructor(
    private readonly repoRoot: string,
    readonly service: ServiceName,
    readonly index: number,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  get name(): string {
    return `${this.service}-${this.index}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  start(): void {
    const out = openSync(this.logFile, 'a');
    const child = spawn('node', [join(this.repoRoot, `dist/services/${this.service}/src/main.js`)], {
      cwd: this.repoRoot,
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    this.child = child;
    this.paused = false;
    this.stopping = false;
    child.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      this.crashes.push({ at: Date.now(), code, signal });
      setTimeout(() => this.child === child && !this.stopping && this.start(), 1000);
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.stopping = true;
    if (this.child?.pid && this.running) process.kill(this.child.pid, signal);
    if (signal === 'SIGSTOP') this.paused = true;
    if (signal === 'SIGCONT') this.paused = false;
  }

  /** Resolves once the child has exited (at once when it is not running). */
  exited(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(3000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Up to `timeoutMs` for /health to answer 200; throws with the log's tail. */
  async waitHealthy(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.healthy()) return;
      await sleep(500);
    }
    const tail = readFileSync(this.logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`${this.name} did not become healthy on port ${this.port}:\n${tail}`);
  }
}

export interface ClusterOptions {
  repoRoot: string;
  /** Where the soak keeps its state: .local/chaos */
  stateDir: string;
  /** Extra environment of every service instance. */
  serviceEnv: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

/** The whole soak system: one PostgreSQL, one broker, two instances of each service. */
export class Cluster {
  readonly postgres: PostgresServer;
  readonly kafka: KafkaBroker;
  readonly instances: ServiceInstance[] = [];
  readonly logDir: string;

  private constructor(
    private readonly options: ClusterOptions,
    ports: number[],
  ) {
    const { stateDir, repoRoot, log } = options;
    this.logDir = join(stateDir, 'logs');
    mkdirSync(this.logDir, { recursive: true });
    this.postgres = new PostgresServer(stateDir, ports[0], log);
    this.kafka = new KafkaBroker(repoRoot, join(stateDir, 'kafka'), ports[1], ports[2]);
    let next = 3;
    for (const service of SERVICES) {
      for (const index of [1, 2]) {
        const env: NodeJS.ProcessEnv = {
          ...options.serviceEnv,
          DATABASE_URL: this.postgres.url(`pass_${service}`),
          KAFKA_BROKERS: this.kafka.brokers,
        };
        this.instances.push(
          new ServiceInstance(
            repoRoot,
            service,
            index,
            ports[next++],
            env,
            join(this.logDir, `${service}-${index}.log`),
          ),
        );
      }
    }
  }

  static async create(options: ClusterOptions): Promise<Cluster> {
    const ports: number[] = [];
    while (ports.length < 3 + SERVICES.length * 2) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    return new Cluster(options, ports);
  }

  get endpoints(): Endpoints {
    const of = (service: ServiceName) => this.instances.filter((i) => i.service === service).map((i) => i.url);
    return {
      issuance: of('issuance'),
      redemption: of('redemption'),
      funding: of('funding'),
      reporting: of('reporting'),
    };
  }

  get databases(): DatabaseUrls {
    return Object.fromEntries(SERVICES.map((s) => [s, this.postgres.url(`pass_${s}`)])) as DatabaseUrls;
  }

  async start(): Promise<void> {
    const { log } = this.options;
    await this.postgres.init();
    await this.postgres.start();
    log(`PostgreSQL on port ${this.postgres.port} (data in ${this.postgres.dataDir})`);
    await this.kafka.start();
    log(`Kafka on port ${this.kafka.port}`);
    // All at once, as a deployment's replicas: the two instances of a service race to create and migrate its database.
    this.instances.forEach((instance) => instance.start());
    await Promise.all(this.instances.map((instance) => instance.waitHealthy()));
    log(`services up: ${this.instances.map((i) => `${i.name} :${i.port}`).join(', ')}`);
  }

  async stop(): Promise<void> {
    for (const instance of this.instances) {
      if (instance.isPaused) instance.kill('SIGCONT');
      instance.kill('SIGTERM');
    }
    await Promise.race([Promise.all(this.instances.map((i) => i.exited())), sleep(20_000)]);
    for (const instance of this.instances) instance.kill('SIGKILL');
    await this.kafka.stop();
    await this.postgres.stop();
  }
}
