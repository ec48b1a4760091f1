import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertValidPayload, EventDefinition, EventEnvelope, EventHeaders } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { currentCorrelation } from '@app/observability';
import { MESSAGING_OPTIONS, MessagingOptions, prefixed } from '../messaging.options';
import { OutboxRelay } from './outbox-relay';
import { OutboxRepository } from './outbox.repository';

/**
 * What services call to emit an event. It never talks to Kafka: it writes the
 * event to the outbox in the caller's transaction (and refuses to run outside
 * one), and the relay publishes it after commit.
 */
@Injectable()
export class EventPublisher {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly tx: TransactionHost,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async publish<P extends object>(definition: EventDefinition<P>, payload: P, occurredAt = new Date()): Promise<EventEnvelope<P>> {
    this.tx.requireTransaction(`Publishing ${definition.type}`);
    if (definition.producer !== this.options.service) {
      throw new Error(`${this.options.service} cannot publish ${definition.type}: only ${definition.producer} produces it`);
    }
    assertValidPayload(definition, payload);
    const eventId = randomUUID();
    const correlation = currentCorrelation();
    const envelope: EventEnvelope<P> = {
      eventId,
      type: definition.type,
      schemaVersion: definition.schemaVersion,
      occurredAt: occurredAt.toISOString(),
      producer: definition.producer,
      key: String(payload[definition.keyField]),
      correlationId: correlation?.correlationId ?? eventId,
      causationId: correlation?.causationId ?? null,
      payload,
    };
    await this.outbox.append({
      eventId,
      topic: prefixed(this.options, definition.topic),
      key: envelope.key,
      eventType: definition.type,
      payload: envelope,
      headers: {
        [EventHeaders.eventId]: eventId,
        [EventHeaders.type]: definition.type,
        [EventHeaders.schemaVersion]: String(definition.schemaVersion),
        [EventHeaders.correlationId]: envelope.correlationId,
      },
    });
    this.tx.afterCommit(() => this.relay.wakeUp());
    return envelope;
  }
}
