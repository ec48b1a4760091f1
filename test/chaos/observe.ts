// What the soak watches while it runs: each consumer group's lag and each
// outbox's backlog, once a second, from whichever instance of the service answers.
import type { Endpoints, ServiceName } from './model';
import { SERVICES, sleep } from './cluster';

export interface LagSample {
  at: number;
  /** Consumer lag summed over the group's topics, per service; absent when no instance answered. */
  lag: Partial<Record<ServiceName, number>>;
  backlog: Partial<Record<ServiceName, number>>;
}

/** A consumer is caught up when its lag is no more than a few in-flight events of the load. */
export const CAUGHT_UP_LAG = 20;

interface HealthDetails {
  outbox?: { backlog?: number };
  consumer?: { lag?: Record<string, number> };
}

async function healthOf(urls: string[]): Promise<HealthDetails | undefined> {
  for (const url of urls) {
    try {
      // /health answers 503 with its details while a part is down: the figures are still there.
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      const body = (await response.json()) as { details?: HealthDetails };
      if (body.details?.consumer?.lag && Object.keys(body.details.consumer.lag).length > 0) return body.details;
    } catch {
      // The next instance, if any.
    }
  }
  return undefined;
}

export class LagSampler {
  readonly samples: LagSample[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(endpoints: Endpoints, intervalMs = 1000) {
    this.loop = (async () => {
      while (!this.stopped) {
        const started = Date.now();
        const sample: LagSample = { at: started, lag: {}, backlog: {} };
        await Promise.all(
          SERVICES.map(async (service) => {
            const details = await healthOf(endpoints[service]);
            if (!details) return;
            sample.lag[service] = Object.values(details.consumer?.lag ?? {}).reduce((sum, lag) => sum + lag, 0);
            sample.backlog[service] = details.outbox?.backlog ?? 0;
          }),
        );
        this.samples.push(sample);
        await sleep(Math.max(0, intervalMs - (Date.now() - started)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** The largest total lag seen (all consumer groups together), and when. */
  largest(): { total: number; at: number; byService: Partial<Record<ServiceName, number>> } {
    let best = { total: 0, at: 0, byService: {} as Partial<Record<ServiceName, number>> };
    for (const sample of this.samples) {
      const total = Object.values(sample.lag).reduce((sum, lag) => sum + (lag ?? 0), 0);
      if (total > best.total) best = { total, at: sample.at, byService: sample.lag };
    }
    return best;
  }

  /** The first moment at or after `from` when every group answered and was caught up. */
  caughtUpAfter(from: number): number | undefined {
    return this.samples.find(
      (sample) =>
        sample.at >= from &&
        SERVICES.every((service) => sample.lag[service] !== undefined && sample.lag[service]! <= CAUGHT_UP_LAG),
    )?.at;
  }
}
