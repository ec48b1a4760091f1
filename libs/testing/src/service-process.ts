import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ServiceName } from '@app/contracts';
import type { TestScope } from './test-scope';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..', '..');

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (its JSON log lines). */
  output(): string;
  /**
   * SIGKILL: no shutdown hook runs, nothing is flushed. Resolves once PostgreSQL
   * has ended the process's sessions too: a COMMIT it had already sent may still
   * be applied until then, so what is committed is only final afterwards.
   */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown path. */
  terminate(): Promise<number | null>;
}

/** Starts a service as its own OS process, the way it runs for real, so a test can kill it. */
export async function spawnService(
  scope: TestScope,
  service: ServiceName,
  overrides: NodeJS.ProcessEnv = {},
): Promise<ServiceProcess> {
  // Names this process's database sessions, so that kill() can wait for the server to end them.
  const applicationName = `spawned-${randomUUID()}`;
  const databaseUrl = new URL(overrides.DATABASE_URL ?? scope.databaseUrl(service));
  databaseUrl.searchParams.set('application_name', applicationName);
  const env = {
    ...process.env,
    ...(await scope.env(service, { LOG_LEVEL: 'info', ...overrides, DATABASE_URL: databaseUrl.toString() })),
  };
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(ROOT, 'services', service, 'src', 'main.ts')],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  // Registered first: every chunk is recorded before the start detection below reads it.
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${service} did not start within 60 s:\n${output.slice(-3000)}`)),
      60_000,
    );
    const onData = () => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace('[::1]', '127.0.0.1'));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${service} exited with ${code} before listening:\n${output.slice(-3000)}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      await waitFor(`PostgreSQL to end the sessions of the killed ${service}`, async () => {
        const [{ n }] = await scope.sql<{ n: number }>(
          service,
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        );
        return n === 0;
      });
    },
    terminate: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
