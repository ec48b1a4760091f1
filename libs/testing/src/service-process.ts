import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ServiceName } from '@app/contracts';
import { TestScope } from './test-scope';

const ROOT = join(__dirname, '..', '..', '..');

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process printed so far (its JSON log lines). */
  output(): string;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown path. */
  terminate(): Promise<number | null>;
}

/** Starts a service as its own OS process, the way it runs for real, so a test can kill it. */
export async function spawnService(scope: TestScope, service: ServiceName, overrides: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const env = { ...process.env, ...(await scope.env(service, { LOG_LEVEL: 'info', ...overrides })) };
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'services', service, 'src', 'main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  // Registered first: every chunk is recorded before the start detection below reads it.
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${service} did not start within 60 s:\n${output.slice(-3000)}`)), 60_000);
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
    },
    terminate: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
