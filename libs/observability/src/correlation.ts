import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What ties an HTTP request to the events it causes and to the work those events cause. */
export interface CorrelationContext {
  correlationId: string;
  /** The event being handled, when the work was caused by one. */
  causationId?: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export const CORRELATION_HEADER = 'x-correlation-id';

export function runWithCorrelation<T>(context: CorrelationContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}

/** A caller-supplied id is kept only if it is harmless in logs; otherwise a fresh one is made. */
export function acceptCorrelationId(candidate: unknown): string {
  return typeof candidate === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(candidate) ? candidate : randomUUID();
}
