import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import type { ServiceName } from '@app/contracts';
import { databaseUrlFor } from '@app/database';
import type { ServiceDefinition } from '@app/platform';
import { createServiceApp } from '@app/platform';
import { testKeyPair } from './test-tokens';

/** Long enough for an in-flight kafkajs request to time out or return after its client disconnected. */
const KAFKA_SETTLE_MS = 1500;

export interface RunningService {
  app: INestApplication;
  url: string;
  env: NodeJS.ProcessEnv;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: integration tests run through jest's integration project (npm test)`);
  return value;
}

/**
 * An isolated corner of the shared infrastructure for one test file: its own
 * databases, topics and consumer groups (all named after the run and the
 * scope), the services it started, and SQL access to their databases.
 */
export class TestScope {
  readonly prefix: string;
  private readonly apps: INestApplication[] = [];
  private readonly pools = new Map<string, Pool>();

  constructor(readonly name: string) {
    if (!/^[a-z0-9]{1,20}$/.test(name)) throw new Error('A scope name is 1–20 lower-case letters and digits');
    this.prefix = `${required('TEST_RUN_ID')}_${name}`;
  }

  databaseUrl(service: ServiceName | string): string {
    return databaseUrlFor(required('TEST_POSTGRES_URL'), `pass_${service}_${this.prefix}`);
  }

  /** The environment a service of this scope runs with; tests override what they exercise. */
  async env(service: ServiceName, overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
    return {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      DATABASE_URL: this.databaseUrl(service),
      DATABASE_POOL_SIZE: '5',
      KAFKA_BROKERS: required('TEST_KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: `${this.prefix.replace(/_/g, '.')}.`,
      AUTH_PUBLIC_KEY: (await testKeyPair()).publicKeyPem,
      OUTBOX_POLL_INTERVAL_MS: '100',
      CONSUMER_RETRY_DELAY_MS: '20',
      ...overrides,
    };
  }

  async start(definition: ServiceDefinition, overrides: NodeJS.ProcessEnv = {}): Promise<RunningService> {
    const env = await this.env(definition.name, overrides);
    const app = await createServiceApp(definition, env);
    this.apps.push(app);
    return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), env };
  }

  async stop(app: INestApplication): Promise<void> {
    this.apps.splice(this.apps.indexOf(app), 1);
    await app.close();
  }

  /** SQL on a service's database, to observe effects the API does not expose. */
  async sql<R extends object = Record<string, unknown>>(
    service: ServiceName | string,
    text: string,
    values: unknown[] = [],
  ): Promise<R[]> {
    let pool = this.pools.get(service);
    if (!pool) {
      pool = new Pool({ connectionString: this.databaseUrl(service), max: 2 });
      this.pools.set(service, pool);
    }
    return (await pool.query<R>(text, values)).rows;
  }

  async close(): Promise<void> {
    await Promise.all(this.apps.splice(0).map((app) => app.close()));
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
    // kafkajs can have one fetch in flight after a consumer disconnects; letting it settle keeps it
    // from running after Jest tears the file's environment down (which Jest turns into exit code 1).
    await new Promise((resolve) => setTimeout(resolve, KAFKA_SETTLE_MS));
  }
}
