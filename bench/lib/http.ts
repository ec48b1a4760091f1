// Small HTTP helpers for the benchmark: a bearer-token client and a bounded-concurrency map.

export class Api {
  constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${this.base}${path} → ${response.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapConcurrent<I, O>(
  items: I[],
  concurrency: number,
  task: (item: I, index: number) => Promise<O>,
): Promise<O[]> {
  const results = new Array<O>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every service's /health shows an empty outbox and no consumer
 * lag, so that a phase does not pay for the previous one's backlog. Returns the seconds waited.
 */
export async function settle(baseUrls: string[], timeoutMs: number): Promise<number> {
  const started = performance.now();
  await until(
    'every outbox and consumer to drain',
    async () => {
      for (const base of baseUrls) {
        const health = (await (await fetch(`${base}/health`)).json()) as { details?: Record<string, any> };
        const details = health.details ?? {};
        if ((details.outbox?.backlog ?? 0) > 0) return false;
        if (Object.values<number>(details.consumer?.lag ?? {}).some((lag) => lag > 0)) return false;
      }
      return true;
    },
    timeoutMs,
    500,
  );
  return (performance.now() - started) / 1000;
}
