// Finds or starts the real Kafka broker and PostgreSQL server the integration
// tests run against. No @app imports here: Jest loads this outside the module map.
import { execFileSync, spawnSync } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const LOCAL_KAFKA = '127.0.0.1:9092';
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Infrastructure {
  brokers: string;
  postgresUrl: string;
  /** What to undo at the end of the run. */
  stop: () => Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[test-infra] ${message}\n`);
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.connect(port, host);
  });
}

function dockerAvailable(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function javaAvailable(): boolean {
  return (
    spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0 &&
    spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status === 0
  );
}

async function kafka(): Promise<{ brokers: string; stop: () => Promise<void> }> {
  if (process.env.KAFKA_BROKERS) {
    log(`using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
    return { brokers: process.env.KAFKA_BROKERS, stop: async () => undefined };
  }
  if (javaAvailable()) {
    const wasRunning = spawnSync('bash', [join(ROOT, 'scripts/kafka.sh'), 'status'], { stdio: 'ignore' }).status === 0;
    execFileSync('bash', [join(ROOT, 'scripts/kafka.sh'), 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
    log(
      wasRunning
        ? `reusing the local Kafka broker on ${LOCAL_KAFKA}`
        : `started the local Kafka broker on ${LOCAL_KAFKA}`,
    );
    return {
      brokers: LOCAL_KAFKA,
      // A broker the developer had running stays up; one this run started is stopped.
      stop: async () => {
        if (!wasRunning)
          execFileSync('bash', [join(ROOT, 'scripts/kafka.sh'), 'stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
      },
    };
  }
  if (dockerAvailable()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    const brokers = `${container.getHost()}:${container.getMappedPort(9093)}`;
    log(`started a Kafka container on ${brokers}`);
    return { brokers, stop: async () => void (await container.stop()) };
  }
  throw new Error(
    'No Kafka: set KAFKA_BROKERS, or install Java 17 and Maven (scripts/kafka.sh), or run a Docker engine',
  );
}

async function postgres(): Promise<{ postgresUrl: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    log('using DATABASE_URL');
    return { postgresUrl: process.env.DATABASE_URL, stop: async () => undefined };
  }
  if (await portOpen('127.0.0.1', 5432)) {
    log('using the local PostgreSQL on 127.0.0.1:5432');
    return { postgresUrl: LOCAL_POSTGRES, stop: async () => undefined };
  }
  if (dockerAvailable()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    log('started a PostgreSQL container');
    return { postgresUrl: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  }
  throw new Error('No PostgreSQL: set DATABASE_URL, or run one on 127.0.0.1:5432, or run a Docker engine');
}

export async function provideInfrastructure(): Promise<Infrastructure> {
  const [broker, database] = await Promise.all([kafka(), postgres()]);
  return {
    brokers: broker.brokers,
    postgresUrl: database.postgresUrl,
    stop: async () => {
      await broker.stop();
      await database.stop();
    },
  };
}
