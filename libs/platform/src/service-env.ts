import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { isIP } from 'node:net';
import { DEFAULT_AUDIENCE, DEV_ISSUER } from '@app/auth';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** The names Express's `trust proxy` knows (proxy-addr), beside addresses and CIDR ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** One entry of a trusted proxy list: a range name, an IP address, or an address with a prefix length (CIDR). */
export function isTrustedProxy(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function IsTrustedProxyList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustedProxyList',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) && value.every((entry) => typeof entry === 'string' && isTrustedProxy(entry)),
        defaultMessage: () =>
          'TRUSTED_PROXIES must be a comma-separated list of IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal',
      },
    },
    options,
  );
}

/**
 * Environment variables every service reads. Defaults suit a developer's
 * machine; a missing or malformed value stops the service at start with a
 * message naming the variable.
 */
export class ServiceEnv {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: string = 'development';

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsString()
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^/]+\/[a-z_][a-z0-9_]*(\?.*)?$/, {
    message: 'DATABASE_URL must look like postgres://user@host:5432/database',
  })
  DATABASE_URL?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = 10;

  @Matches(/^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/, {
    message: 'KAFKA_BROKERS must be host:port[,host:port…]',
  })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  @Matches(/^[a-z0-9._-]*$/, {
    message: 'KAFKA_TOPIC_PREFIX may only hold lower-case letters, digits, dots, dashes and underscores',
  })
  KAFKA_TOPIC_PREFIX: string = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /**
   * The proxies (the web front, a load balancer) whose X-Forwarded-For gives
   * the client's address, as Express's `trust proxy` reads them. None by
   * default: any other caller could then choose the address it is counted under.
   */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.split(',').map((entry) => entry.trim()) : value,
  )
  @IsTrustedProxyList()
  TRUSTED_PROXIES: string[] = [];

  @IsString()
  AUTH_ISSUER: string = DEV_ISSUER;

  @IsString()
  AUTH_AUDIENCE: string = DEFAULT_AUDIENCE;

  /** PEM public key verifying tokens; or AUTH_PUBLIC_KEY_FILE, or AUTH_JWKS_URL. None in development: dev keys. */
  @IsOptional()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'AUTH_PUBLIC_KEY must be a PEM public key' })
  AUTH_PUBLIC_KEY?: string;

  @IsOptional()
  @IsString()
  AUTH_PUBLIC_KEY_FILE?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  AUTH_JWKS_URL?: string;

  /** The longest a token may live (exp − iat), and the oldest it may be: 12 hours, a working day's session. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: number = 12 * 3600;

  @Transform(toBoolean)
  @IsBoolean()
  OUTBOX_RELAY_ENABLED: boolean = true;

  /** Days added to the calendar operations' clock (settlement months, expiry): the chaos soak only, refused in production. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(400)
  CLOCK_OFFSET_DAYS: number = 0;

  @Type(() => Number)
  @IsInt()
  @Min(10)
  OUTBOX_POLL_INTERVAL_MS: number = 250;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  OUTBOX_BATCH_SIZE: number = 500;

  /** How long the relay lets commits gather once woken, so that one publication carries several. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  OUTBOX_LINGER_MS: number = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  CONSUMER_MAX_ATTEMPTS: number = 5;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  CONSUMER_RETRY_DELAY_MS: number = 200;

  /**
   * How long an event whose cause travels on another topic may wait for it
   * (its partition paused, the others going on) before it is dead-lettered:
   * catching up, the cause is a few fetches away; a minute is plenty.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  CONSUMER_AWAIT_CAUSE_MS: number = 60_000;

  /**
   * Partitions applied at the same time. One by default: a batch holds its row
   * locks until it commits, and pass events all move the same program-level
   * accounts, so concurrent batches mostly wait on each other (funding takes
   * those locks in one order, so they wait rather than deadlock).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CONSUMER_CONCURRENCY: number = 1;

  /** Messages of one partition applied in one transaction (1 = a transaction per message). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  CONSUMER_BATCH_SIZE: number = 200;
}
