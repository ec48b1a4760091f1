// The fault schedule of the soak: drawn once from the seed (so a seed replays
// the same faults at the same times), then injected against the cluster, each
// fault followed by its recovery.
import type { Cluster, ServiceInstance } from './cluster';
import { SERVICES, sleep } from './cluster';
import type { ServiceName } from './model';

export type FaultKind = 'kill' | 'pause' | 'broker-restart' | 'postgres-restart';

export interface Fault {
  kind: FaultKind;
  /** Milliseconds from the start of the load. */
  atMs: number;
  /** For kill and pause: which instance ("funding-2"). */
  target?: string;
  /** How long the part stays down (killed or paused) before it is restarted or resumed. */
  downMs: number;
}

export interface InjectedFault extends Fault {
  injectedAt: number;
  /** When the part answered again (healthy, or the broker accepting connections). */
  backAt?: number;
  error?: string;
}

/** CHAOS_DURATION and the like: seconds, or with a unit (150s, 10m). */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min)?$/.exec(text.trim());
  if (!match)
    throw new Error(`CHAOS_DURATION must be a number of seconds or a duration like 150s or 10m, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 's' ? value * 1000 : value * 60_000);
}

const between = (random: () => number, min: number, max: number) => Math.round(min + random() * (max - min));

/** A consumer's session times out after 10 s (libs/messaging): a pause longer than that makes its group rebalance. */
const SESSION_TIMEOUT_MS = 10_000;
/** Broker and database outages are spread apart, so that each one's recovery can be seen on its own. */
const INFRASTRUCTURE_SPACING_MS = 35_000;

/**
 * The faults of a soak of `durationMs`: every service killed several times
 * (at least once each in the shortest run), pauses longer than a consumer
 * session, broker kills and PostgreSQL immediate stops, then extra kills of
 * random instances, all inside the load with a quiet start and end.
 */
export function scheduleFaults(durationMs: number, random: () => number): Fault[] {
  const start = Math.min(10_000, durationMs * 0.1);
  const end = durationMs - Math.min(20_000, durationMs * 0.15);
  const instanceNames = SERVICES.flatMap((service) => [`${service}-1`, `${service}-2`]);
  const at = () => between(random, start, end);
  const faults: Fault[] = [];

  const minutes = durationMs / 60_000;
  const killsPerService = Math.max(1, Math.round(minutes * 1.2));
  for (const service of SERVICES) {
    for (let k = 0; k < killsPerService; k++) {
      faults.push({
        kind: 'kill',
        atMs: at(),
        target: `${service}-${1 + (k % 2)}`,
        downMs: between(random, 500, 5000),
      });
    }
  }
  const pauses = Math.max(1, Math.round(minutes * 0.8));
  for (let p = 0; p < pauses; p++) {
    faults.push({
      kind: 'pause',
      atMs: at(),
      target: instanceNames[Math.floor(random() * instanceNames.length)],
      downMs: between(random, SESSION_TIMEOUT_MS + 2000, SESSION_TIMEOUT_MS + 10_000),
    });
  }
  const extraKills = Math.round(minutes * 2);
  for (let k = 0; k < extraKills; k++) {
    faults.push({
      kind: 'kill',
      atMs: at(),
      target: instanceNames[Math.floor(random() * instanceNames.length)],
      downMs: between(random, 500, 5000),
    });
  }

  // Broker and database outages on a grid of slots spread over the run, in a shuffled order.
  const brokerRestarts = Math.max(1, Math.round(minutes * 0.4));
  const postgresRestarts = Math.max(1, Math.round(minutes * 0.2));
  const kinds: FaultKind[] = [
    ...Array<FaultKind>(brokerRestarts).fill('broker-restart'),
    ...Array<FaultKind>(postgresRestarts).fill('postgres-restart'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const slot = Math.max(INFRASTRUCTURE_SPACING_MS, (end - start) / kinds.length);
  kinds.forEach((kind, i) => {
    const slotStart = start + ((i * slot) % Math.max(1, end - start));
    faults.push({
      kind,
      atMs: Math.round(slotStart + random() * Math.min(slot * 0.5, 10_000)),
      downMs: kind === 'broker-restart' ? between(random, 1000, 6000) : between(random, 1000, 4000),
    });
  });
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/** Runs the schedule from `startedAt`: each fault on time, each recovery in the background. */
export async function injectFaults(
  cluster: Cluster,
  schedule: Fault[],
  startedAt: number,
  log: (message: string) => void,
): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  const recoveries: Array<Promise<void>> = [];
  // An instance already down or paused is not hit again until it is back: one fault per part at a time.
  const busy = new Set<string>();
  let infrastructureBusy = Promise.resolve();

  for (const fault of schedule) {
    const wait = startedAt + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (fault.kind === 'kill' || fault.kind === 'pause') {
      const instance = cluster.instances.find((i) => i.name === fault.target)!;
      if (busy.has(instance.name)) continue;
      busy.add(instance.name);
      const record: InjectedFault = { ...fault, injectedAt: Date.now() };
      injected.push(record);
      log(`fault: ${fault.kind} ${instance.name} for ${fault.downMs} ms`);
      recoveries.push(
        hitInstance(instance, fault)
          .then(() => void (record.backAt = Date.now()))
          .catch((error: Error) => void (record.error = error.message))
          .finally(() => busy.delete(instance.name)),
      );
    } else {
      // Broker and database outages never overlap each other: each waits for the previous one's recovery.
      const previous = infrastructureBusy;
      const record: InjectedFault = { ...fault, injectedAt: 0 };
      injected.push(record);
      infrastructureBusy = previous.then(async () => {
        record.injectedAt = Date.now();
        log(`fault: ${fault.kind} for ${fault.downMs} ms`);
        try {
          if (fault.kind === 'broker-restart') {
            cluster.kafka.killHard();
            await sleep(fault.downMs);
            await cluster.kafka.start();
          } else {
            await cluster.postgres.stopImmediately();
            await sleep(fault.downMs);
            await cluster.postgres.start();
          }
          record.backAt = Date.now();
        } catch (error) {
          record.error = (error as Error).message;
        }
      });
      recoveries.push(infrastructureBusy);
    }
  }
  await Promise.all(recoveries);
  return injected;
}

async function hitInstance(instance: ServiceInstance, fault: Fault): Promise<void> {
  if (fault.kind === 'pause') {
    instance.kill('SIGSTOP');
    await sleep(fault.downMs);
    instance.kill('SIGCONT');
  } else {
    const exited = instance.exited();
    instance.kill('SIGKILL');
    await exited;
    await sleep(fault.downMs);
    instance.start();
  }
  await instance.waitHealthy(180_000);
}

export function faultCounts(faults: InjectedFault[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const fault of faults) {
    const key = fault.target ? `${fault.kind} ${fault.target.replace(/-\d$/, '')}` : fault.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export type { ServiceName };
