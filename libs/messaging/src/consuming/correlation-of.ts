import type { EventEnvelope } from '@app/contracts';
import type { CorrelationContext } from '@app/observability';

/** The handler's log lines and the events it publishes carry the event's correlation id, and the event as their cause. */
export function correlationOf(envelope: EventEnvelope<object>): CorrelationContext {
  return { correlationId: envelope.correlationId, causationId: envelope.eventId };
}
