import { randomUUID } from 'node:crypto';
import type { AnyEventDefinition, EventEnvelope } from '@app/contracts';
import { findEventDefinition } from '@app/contracts';
import { produceMany, produceTogether } from './kafka-tools';

/** A valid envelope for an event, as its producer would write it: how tests play another service. */
export function envelopeOf<P extends object>(
  definition: AnyEventDefinition,
  payload: P,
  overrides: Partial<EventEnvelope<P>> = {},
): EventEnvelope<P> {
  const eventId = overrides.eventId ?? randomUUID();
  return {
    eventId,
    type: definition.type,
    schemaVersion: definition.schemaVersion,
    occurredAt: new Date().toISOString(),
    producer: definition.producer,
    key: String((payload as Record<string, unknown>)[definition.keyField]),
    correlationId: eventId,
    causationId: null,
    payload,
    ...overrides,
  };
}

/** Publishes envelopes to their topics (under a scope's topic prefix), in the given order. */
export async function publishEnvelopes(topicPrefix: string, envelopes: EventEnvelope<object>[]): Promise<void> {
  await produceMany(envelopes.map((envelope) => recordOf(topicPrefix, envelope)));
}

/**
 * Publishes envelopes of one topic in a single request: the consumer fetches
 * those of a partition together, as one batch. With `partition`, all go to it
 * whatever their keys.
 */
export async function publishTogether(
  topicPrefix: string,
  envelopes: EventEnvelope<object>[],
  partition?: number,
): Promise<void> {
  const records = envelopes.map((envelope) => ({ ...recordOf(topicPrefix, envelope), partition }));
  const topics = new Set(records.map(({ topic }) => topic));
  if (topics.size !== 1)
    throw new Error(`publishTogether takes the events of one topic, not of ${[...topics].join(', ')}`);
  await produceTogether(records[0].topic, records);
}

function recordOf(topicPrefix: string, envelope: EventEnvelope<object>): { topic: string; key: string; value: string } {
  const definition = findEventDefinition(envelope.type, envelope.schemaVersion);
  if (!definition) throw new Error(`No contract for ${envelope.type} v${envelope.schemaVersion}`);
  return { topic: `${topicPrefix}${definition.topic}`, key: envelope.key, value: JSON.stringify(envelope) };
}
