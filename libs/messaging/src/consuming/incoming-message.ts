import type { EventEnvelope } from '@app/contracts';
import { correlationOf } from './correlation-of';
import { runWithCorrelation } from '@app/observability';
import type { MessageHeaders } from '../dead-letters/dead-letter.entity';

/** A Kafka record as the consumer received it, before any parsing. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: MessageHeaders;
}

/** One event given to an `@OnEvent` method: its valid envelope and where it was read, in partition order. */
export interface ConsumedEvent<P extends object = Record<string, unknown>> {
  envelope: EventEnvelope<P>;
  message: IncomingMessage;
}

/**
 * For a handler whose rule takes one event at a time: applies each in order,
 * with the event as the cause of the log lines written and the events published meanwhile.
 */
export async function eachEvent<P extends object>(
  events: Array<ConsumedEvent<P>>,
  apply: (envelope: EventEnvelope<P>) => Promise<void>,
): Promise<void> {
  for (const { envelope } of events) await runWithCorrelation(correlationOf(envelope), () => apply(envelope));
}
