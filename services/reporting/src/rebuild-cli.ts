// npm run reporting:rebuild — asks the running reporting service to rebuild its read models and waits for the switch.
// REPORTING_URL (default http://127.0.0.1:3004); REPORTING_TOKEN (an operator token), else a development token is minted.
import { loadOrCreateDevKeys, mintToken } from '@app/auth';

interface Rebuild {
  id: string;
  generation: number;
  status: 'running' | 'completed' | 'failed';
  replayedEvents: number;
  invalidEvents: number;
  error: string | null;
  code?: string;
  message?: string;
}

async function main(): Promise<void> {
  const url = process.env.REPORTING_URL ?? 'http://127.0.0.1:3004';
  const token =
    process.env.REPORTING_TOKEN ??
    (await mintToken((await loadOrCreateDevKeys()).privateKeyPem, {
      role: 'operator',
      subject: 'reporting-rebuild-cli',
    }));
  const headers = { authorization: `Bearer ${token}` };
  const started = await fetch(`${url}/rebuilds`, { method: 'POST', headers });
  let rebuild = (await started.json()) as Rebuild;
  if (!started.ok) throw new Error(`${started.status} ${rebuild.code ?? ''} ${rebuild.message ?? ''}`);
  console.log(`Rebuild ${rebuild.id} of generation ${rebuild.generation} started`);
  while (rebuild.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    rebuild = (await (await fetch(`${url}/rebuilds/${rebuild.id}`, { headers })).json()) as Rebuild;
    console.log(`  ${rebuild.replayedEvents} event(s) replayed`);
  }
  if (rebuild.status !== 'completed') throw new Error(`Rebuild ${rebuild.id} failed: ${rebuild.error}`);
  console.log(
    `Generation ${rebuild.generation} is active: ${rebuild.replayedEvents} event(s) replayed, ${rebuild.invalidEvents} invalid skipped`,
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
