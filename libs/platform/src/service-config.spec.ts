import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PemKeyPair } from '@app/auth';
import { DEFAULT_AUDIENCE, DEV_ISSUER, generatePemKeyPair } from '@app/auth';
import { ConfigurationError, loadServiceConfig } from './service-config';

/** The line parseEnv writes for a refused variable: `  - NAME: constraint… (got …)`. */
const refusedLine = (name: string) => new RegExp(`^\\s+- ${name}: `, 'm');

describe('loadServiceConfig', () => {
  let keys: PemKeyPair;
  let scratch: string;

  beforeAll(async () => {
    keys = await generatePemKeyPair();
    scratch = mkdtempSync(join(tmpdir(), 'service-config-spec-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const load = (env: NodeJS.ProcessEnv) =>
    loadServiceConfig('issuance', 3001, { AUTH_PUBLIC_KEY: keys.publicKeyPem, ...env });

  async function refusal(env: NodeJS.ProcessEnv): Promise<ConfigurationError> {
    const error = await load(env).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }

  describe('defaults', () => {
    it('given only a public key, when loaded, then every other setting has its local development default', async () => {
      const config = await loadServiceConfig('issuance', 3001, { AUTH_PUBLIC_KEY: keys.publicKeyPem });

      expect(config.service).toBe('issuance');
      expect(config.port).toBe(3001);
      expect(config.host).toBe('0.0.0.0');
      expect(config.logLevel).toBe('info');
      const database = new URL(config.databaseUrl);
      expect(database.protocol).toBe('postgres:');
      expect(database.hostname).toBe('127.0.0.1');
      expect(database.port).toBe('5432');
      expect(database.pathname).toBe('/pass_issuance');
      expect(config.databasePoolSize).toBe(10);
      expect(config.messaging).toMatchObject({
        service: 'issuance',
        brokers: ['127.0.0.1:9092'],
        topicPrefix: '',
        relay: { enabled: true },
      });
      expect(config.auth).toEqual({
        issuer: DEV_ISSUER,
        audience: DEFAULT_AUDIENCE,
        maxTokenLifetimeSeconds: 12 * 3600,
        publicKeyPem: keys.publicKeyPem,
      });
      expect(config.trustedProxies).toEqual([]);
    });

    it('given empty strings, when loaded, then they count as absent and the defaults apply', async () => {
      const config = await load({
        PORT: '',
        LOG_LEVEL: '',
        OUTBOX_RELAY_ENABLED: '',
        KAFKA_BROKERS: '',
        DATABASE_URL: '',
        NODE_ENV: '',
      });

      expect(config.port).toBe(3001);
      expect(config.logLevel).toBe('info');
      expect(config.messaging.relay.enabled).toBe(true);
      expect(config.messaging.brokers).toEqual(['127.0.0.1:9092']);
      expect(new URL(config.databaseUrl).pathname).toBe('/pass_issuance');
    });
  });

  describe('valid overrides', () => {
    it('given well-formed values, when loaded, then they are parsed and typed', async () => {
      const config = await load({
        PORT: '0',
        KAFKA_BROKERS: 'kafka-1:9092,kafka-2.internal:19092',
        DATABASE_URL: 'postgresql://app:secret@db.internal:6432/pass_issuance_test?sslmode=require',
        OUTBOX_RELAY_ENABLED: 'false',
        OUTBOX_BATCH_SIZE: '42',
        LOG_LEVEL: 'debug',
        AUTH_AUDIENCE: 'pass-api',
      });

      expect(config.port).toBe(0);
      expect(config.messaging.brokers).toEqual(['kafka-1:9092', 'kafka-2.internal:19092']);
      expect(config.databaseUrl).toBe('postgresql://app:secret@db.internal:6432/pass_issuance_test?sslmode=require');
      expect(config.messaging.relay).toMatchObject({ enabled: false, batchSize: 42 });
      expect(config.logLevel).toBe('debug');
      expect(config.auth.audience).toBe('pass-api');
    });

    it('given TRUSTED_PROXIES, when loaded, then each address, CIDR range or range name is kept for Express', async () => {
      const config = await load({ TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,192.168.1.7, fd00::/8,::1' });

      expect(config.trustedProxies).toEqual(['loopback', '10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']);
    });

    it('given AUTH_PUBLIC_KEY_FILE naming a readable PEM, when loaded, then the key is read from it', async () => {
      const file = join(scratch, 'public.pem');
      writeFileSync(file, keys.publicKeyPem);

      const config = await loadServiceConfig('issuance', 3001, { AUTH_PUBLIC_KEY_FILE: file, NODE_ENV: 'production' });

      expect(config.auth.publicKeyPem).toBe(keys.publicKeyPem);
    });

    it('given AUTH_JWKS_URL in production, when loaded, then tokens are verified against it', async () => {
      const config = await loadServiceConfig('issuance', 3001, {
        AUTH_JWKS_URL: 'https://login.example/jwks',
        NODE_ENV: 'production',
      });

      expect(config.auth).toEqual({
        issuer: DEV_ISSUER,
        audience: DEFAULT_AUDIENCE,
        maxTokenLifetimeSeconds: 12 * 3600,
        jwksUrl: 'https://login.example/jwks',
      });
    });
  });

  describe('refused variables', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['KAFKA_BROKERS', 'localhost'],
      ['DATABASE_URL', 'mysql://x/y'],
      ['OUTBOX_RELAY_ENABLED', 'yes'],
      ['LOG_LEVEL', 'loud'],
      ['NODE_ENV', 'staging'],
      ['AUTH_PUBLIC_KEY', 'not a pem'],
      ['AUTH_JWKS_URL', 'ftp://keys.example/jwks'],
      ['TRUSTED_PROXIES', 'web'],
      ['TRUSTED_PROXIES', '10.0.0.0/33'],
      ['TRUSTED_PROXIES', 'loopback,'],
      ['TRUSTED_PROXIES', 'true'],
      ['CLOCK_OFFSET_DAYS', '-1'],
      ['CLOCK_OFFSET_DAYS', 'soon'],
    ])('given %s=%j, when loaded, then it stops with a ConfigurationError naming the variable', async (name, value) => {
      const error = await refusal({ [name]: value });

      expect(error.message).toContain('issuance');
      expect(error.message).toMatch(refusedLine(name));
    });

    it('given several bad variables, when loaded, then one message lists them all and no good one', async () => {
      const error = await refusal({
        PORT: 'abc',
        KAFKA_BROKERS: 'localhost',
        LOG_LEVEL: 'loud',
        OUTBOX_RELAY_ENABLED: 'yes',
        HOST: '127.0.0.1',
      });

      for (const name of ['PORT', 'KAFKA_BROKERS', 'LOG_LEVEL', 'OUTBOX_RELAY_ENABLED'])
        expect(error.message).toMatch(refusedLine(name));
      expect(error.message).not.toMatch(refusedLine('HOST'));
      expect(error.message.split('\n').filter((line) => /^\s+- /.test(line))).toHaveLength(4);
    });
  });

  describe('the calendar operations clock', () => {
    it('given CLOCK_OFFSET_DAYS, when loaded outside production, then the offset is kept for the chaos soak', async () => {
      expect((await load({ CLOCK_OFFSET_DAYS: '70' })).clockOffsetDays).toBe(70);
      expect((await load({})).clockOffsetDays).toBe(0);
    });

    it('given CLOCK_OFFSET_DAYS in production, when loaded, then it stops: the real clock only', async () => {
      const error = await refusal({ CLOCK_OFFSET_DAYS: '70', NODE_ENV: 'production' });

      expect(error.message).toMatch(refusedLine('CLOCK_OFFSET_DAYS'));
      expect((await load({ CLOCK_OFFSET_DAYS: '0', NODE_ENV: 'production' })).clockOffsetDays).toBe(0);
    });
  });

  describe('token verification key', () => {
    it('given production and no AUTH_* variable, when loaded, then it stops asking for AUTH_PUBLIC_KEY', async () => {
      const error = await loadServiceConfig('issuance', 3001, { NODE_ENV: 'production' }).catch(
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain('AUTH_PUBLIC_KEY');
    });

    it('given production and an empty AUTH_PUBLIC_KEY, when loaded, then it counts as absent and stops', async () => {
      const error = await loadServiceConfig('issuance', 3001, { NODE_ENV: 'production', AUTH_PUBLIC_KEY: '' }).catch(
        (thrown: unknown) => thrown,
      );

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain('AUTH_PUBLIC_KEY');
    });

    it('given AUTH_PUBLIC_KEY_FILE naming a missing file, when loaded, then it stops naming that variable', async () => {
      const error = await loadServiceConfig('issuance', 3001, {
        AUTH_PUBLIC_KEY_FILE: '/nonexistent/public.pem',
      }).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(refusedLine('AUTH_PUBLIC_KEY_FILE'));
    });

    describe('in development without any AUTH_* variable', () => {
      const previous = process.env.DEV_KEYS_DIR;
      let keysDir: string;

      beforeEach(() => {
        keysDir = join(mkdtempSync(join(scratch, 'dev-')), 'dev-keys');
        process.env.DEV_KEYS_DIR = keysDir;
      });
      afterEach(() => {
        if (previous === undefined) delete process.env.DEV_KEYS_DIR;
        else process.env.DEV_KEYS_DIR = previous;
      });

      it('given no dev keys yet, when loaded, then a key pair is created under DEV_KEYS_DIR and its public key is trusted', async () => {
        const config = await loadServiceConfig('issuance', 3001, {});

        expect(existsSync(join(keysDir, 'private.pem'))).toBe(true);
        expect(config.auth.publicKeyPem).toBe(readFileSync(join(keysDir, 'public.pem'), 'utf8'));
        expect(config.auth.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
      });

      it('given dev keys already made, when loaded again, then the same key is reused', async () => {
        const first = await loadServiceConfig('issuance', 3001, { NODE_ENV: 'development' });
        const second = await loadServiceConfig('funding', 3002, { NODE_ENV: 'test' });

        expect(second.auth.publicKeyPem).toBe(first.auth.publicKeyPem);
      });
    });
  });
});
