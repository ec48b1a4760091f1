import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertValidPayloads, EventDefinition, EventEnvelope, EventHeaders } from '@app/contracts';
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

  async publish<P extends object>(
    definition: EventDefinition<P>,
    payload: P,
    occurredAt = new Date(),
  ): Promise<EventEnvelope<P>> {
    const [envelope] = await this.publishAll(definition, [payload], occurredAt);
    return envelope;
  }

  /** Several events of one type in one go, in order (e.g. one per pass of a redemption, or a batch of expiries). */
  async publishAll<P extends object>(
    definition: EventDefinition<P>,
    payloads: P[],
    occurredAt = new Date(),
  ): Promise<Array<EventEnvelope<P>>> {
    this.tx.requireTransaction(`Publishing ${definition.type}`);
    if (definition.producer !== this.options.service) {
      throw new Error(
        `${this.options.service} cannot publish ${definition.type}: only ${definition.producer} produces it`,
      );
    }
    // Every payload is checked before any row is written: one invalid event refuses the whole call.
    assertValidPayloads(definition, payloads);
    const correlation = currentCorrelation();
    const occurred = occurredAt.toISOString();
    const envelopes = payloads.map((payload) => this.envelopeOf(definition, payload, occurred, correlation));
    const topic = prefixed(this.options, definition.topic);
    const schemaVersion = String(definition.schemaVersion);
    await this.outbox.appendMany(
      envelopes.map((envelope) => ({
        eventId: envelope.eventId,
        topic,
        key: envelope.key,
        eventType: definition.type,
        payload: envelope,
        headers: {
          [EventHeaders.eventId]: envelope.eventId,
          [EventHeaders.type]: definition.type,
          [EventHeaders.schemaVersion]: schemaVersion,
          [EventHeaders.correlationId]: envelope.correlationId,
        },
      })),
    );
    this.tx.afterCommit(() => this.relay.wakeUp());
    return envelopes;
  }

  private envelopeOf<P extends object>(
    definition: EventDefinition<P>,
    payload: P,
    occurredAt: string,
    correlation: ReturnType<typeof currentCorrelation>,
  ): EventEnvelope<P> {
    const eventId = randomUUID();
    return {
      eventId,
      type: definition.type,
      schemaVersion: definition.schemaVersion,
      occurredAt,
      producer: definition.producer,
      key: String(payload[definition.keyField]),
      correlationId: correlation?.correlationId ?? eventId,
      causationId: correlation?.causationId ?? null,
      payload,
    };
  }
}
