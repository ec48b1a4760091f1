// Measures the expiry job alone (issue 11: 1,000,000 passes in ≤ 60 s) with
// the benchmark's own runExpiry, on a scratch database, without the rest of
// the benchmark. Needs `npm run build` first. Never part of `npm test`.
//   node -r @swc-node/register bench/expiry-rate.ts 200000 1000000
// Env: EXPIRY_DB (default pass_helper_expiry), EXPIRY_PORT (3022),
// EXPIRY_BATCH_SIZE (passed to the scratch instance), EXPIRY_CPU_PROF=dir,
// EXPIRY_ROOT (another built checkout, e.g. the code before a change, to compare).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateDevKeys, mintToken } from '../libs/auth/src';
import { runExpiry } from './lib/batch-jobs';

const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  const counts = process.argv.slice(2).map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error('usage: expiry-rate.ts <passes> [<passes>…]');
  const logDir = join(ROOT, '.local', 'bench');
  mkdirSync(logDir, { recursive: true });
  const keys = await loadOrCreateDevKeys();
  const operatorToken = await mintToken(keys.privateKeyPem, {
    expiresIn: '1h',
    role: 'operator',
    subject: 'bench-expiry-rate',
  });
  const env: Record<string, string> = {};
  if (process.env.EXPIRY_BATCH_SIZE) env.EXPIRY_BATCH_SIZE = process.env.EXPIRY_BATCH_SIZE;
  const nodeArgs = process.env.EXPIRY_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.EXPIRY_CPU_PROF}`] : [];
  for (const count of counts) {
    const result = await runExpiry({
      root: process.env.EXPIRY_ROOT ?? ROOT,
      serverUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      operatorToken,
      count,
      port: Number(process.env.EXPIRY_PORT ?? 3022),
      logDir,
      log: (message) => console.log(`[expiry-rate ${new Date().toISOString().slice(11, 19)}] ${message}`),
      database: process.env.EXPIRY_DB ?? 'pass_helper_expiry',
      env,
      nodeArgs,
    });
    console.log(JSON.stringify(result));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
