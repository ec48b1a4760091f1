import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import type { AuthSettings } from '@app/auth';
import { loadOrCreateDevKeys } from '@app/auth';
import type { ServiceName } from '@app/contracts';
import { databaseUrlFor, LOCAL_POSTGRES_URL } from '@app/database';
import type { MessagingOptions } from '@app/messaging';
import { ServiceEnv } from './service-env';

export class ConfigurationError extends Error {}

export interface ServiceConfig {
  service: ServiceName;
  port: number;
  host: string;
  logLevel: string;
  /** Express `trust proxy`: the proxies whose X-Forwarded-For is believed; empty, none. */
  trustedProxies: string[];
  databaseUrl: string;
  databasePoolSize: number;
  messaging: MessagingOptions;
  auth: AuthSettings;
  /** See OperationsClock: 0 but in the chaos soak. */
  clockOffsetDays: number;
}

/** The default database of a service on the local server: one database per service. */
export function defaultDatabaseName(service: ServiceName): string {
  return `pass_${service}`;
}

export function parseEnv<E extends object>(envClass: new () => E, env: NodeJS.ProcessEnv, service: string): E {
  // Blank values count as absent, as in most shells' `VAR= command`.
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = plainToInstance(envClass, given, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false, stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) =>
        `  - ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${JSON.stringify(given[e.property])})`,
    );
    throw new ConfigurationError(`Invalid configuration for the ${service} service:\n${lines.join('\n')}`);
  }
  return parsed;
}

async function authSettings(env: ServiceEnv, service: string): Promise<AuthSettings> {
  const base = {
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    maxTokenLifetimeSeconds: env.AUTH_MAX_TOKEN_LIFETIME_SECONDS,
  };
  if (env.AUTH_JWKS_URL) return { ...base, jwksUrl: env.AUTH_JWKS_URL };
  if (env.AUTH_PUBLIC_KEY) return { ...base, publicKeyPem: env.AUTH_PUBLIC_KEY };
  if (env.AUTH_PUBLIC_KEY_FILE) {
    try {
      return { ...base, publicKeyPem: readFileSync(env.AUTH_PUBLIC_KEY_FILE, 'utf8') };
    } catch (error) {
      throw new ConfigurationError(
        `Invalid configuration for the ${service} service:\n  - AUTH_PUBLIC_KEY_FILE: ${(error as Error).message}`,
      );
    }
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigurationError(
      `Invalid configuration for the ${service} service:\n  - AUTH_PUBLIC_KEY, AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_URL is required in production`,
    );
  }
  return { ...base, publicKeyPem: (await loadOrCreateDevKeys()).publicKeyPem };
}

export async function loadServiceConfig(
  service: ServiceName,
  defaultPort: number,
  env: NodeJS.ProcessEnv,
): Promise<ServiceConfig> {
  const parsed = parseEnv(ServiceEnv, env, service);
  if (parsed.NODE_ENV === 'production' && parsed.CLOCK_OFFSET_DAYS !== 0) {
    throw new ConfigurationError(
      `Invalid configuration for the ${service} service:\n  - CLOCK_OFFSET_DAYS: a shifted clock is for the chaos soak, never in production`,
    );
  }
  return {
    service,
    port: parsed.PORT ?? defaultPort,
    host: parsed.HOST,
    logLevel: parsed.LOG_LEVEL,
    trustedProxies: parsed.TRUSTED_PROXIES,
    databaseUrl: parsed.DATABASE_URL ?? databaseUrlFor(LOCAL_POSTGRES_URL, defaultDatabaseName(service)),
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    messaging: {
      service,
      brokers: parsed.KAFKA_BROKERS.split(','),
      topicPrefix: parsed.KAFKA_TOPIC_PREFIX,
      relay: {
        enabled: parsed.OUTBOX_RELAY_ENABLED,
        pollIntervalMs: parsed.OUTBOX_POLL_INTERVAL_MS,
        batchSize: parsed.OUTBOX_BATCH_SIZE,
        lingerMs: parsed.OUTBOX_LINGER_MS,
      },
      consumer: {
        maxAttempts: parsed.CONSUMER_MAX_ATTEMPTS,
        retryDelayMs: parsed.CONSUMER_RETRY_DELAY_MS,
        awaitCauseMs: parsed.CONSUMER_AWAIT_CAUSE_MS,
        partitionsConsumedConcurrently: parsed.CONSUMER_CONCURRENCY,
        batchSize: parsed.CONSUMER_BATCH_SIZE,
      },
    },
    auth: await authSettings(parsed, service),
    clockOffsetDays: parsed.CLOCK_OFFSET_DAYS,
  };
}
