import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { checkEvent, deadLetterTopicOf, EventEnvelope } from '@app/contracts';
import { TransactionHost } from '@app/database';
import { runWithCorrelation } from '@app/observability';
import { DeadLetterRepository } from '../dead-letters/dead-letter.repository';
import { InboxRepository } from '../inbox/inbox.repository';
import { ConsumeOutcome, MessagingMetrics } from '../messaging.metrics';
import { MESSAGING_OPTIONS, MessagingOptions, prefixed } from '../messaging.options';
import { OutboxRepository } from '../outbox/outbox.repository';
import { EventContext, IncomingMessage } from './incoming-message';

export type EventHandler = (envelope: EventEnvelope, context: EventContext) => Promise<void>;

/**
 * Applies one consumed message: validate, then inbox record + effects in one
 * transaction, retried a bounded number of times, then dead-lettered. It
 * never throws, so a poison message cannot block its partition.
 */
@Injectable()
export class EventProcessor {
  private readonly logger = new Logger(EventProcessor.name);

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly tx: TransactionHost,
    private readonly inbox: InboxRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly outbox: OutboxRepository,
    private readonly metrics: MessagingMetrics,
  ) {}

  /** Throws only when the database itself fails, so the message is redelivered rather than lost. */
  async process(message: IncomingMessage, handlerFor: (type: string) => EventHandler | undefined, heartbeat: () => Promise<void>): Promise<ConsumeOutcome> {
    let raw: unknown;
    try {
      raw = JSON.parse(message.value ?? '');
    } catch {
      return this.deadLetter(message, undefined, 'message value is not JSON', 1);
    }
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    const handler = typeof type === 'string' ? handlerFor(type) : undefined;
    if (typeof type === 'string' && !handler) {
      // Topics carry every event of their producer: the ones this service does not need are skipped.
      this.count(message, type, 'ignored');
      return 'ignored';
    }
    const check = checkEvent(raw);
    if (!check.valid || !handler) {
      return this.deadLetter(message, check.envelope, check.valid ? 'no handler' : check.reason, 1);
    }
    const envelope = check.envelope;
    const context = new EventContext([message]);
    const correlation = { correlationId: envelope.correlationId, causationId: envelope.eventId };

    for (let attempt = 1; ; attempt++) {
      const stopTimer = this.metrics.handling.startTimer({ type: envelope.type });
      try {
        const applied = await runWithCorrelation(correlation, () =>
          this.tx.run(async () => {
            if (!(await this.inbox.recordOnce(this.options.service, envelope.eventId, envelope.type))) return false;
            await handler(envelope, context);
            return true;
          }),
        );
        stopTimer();
        const outcome: ConsumeOutcome = applied ? 'applied' : 'duplicate';
        runWithCorrelation(correlation, () => this.logger.log(`${outcome === 'applied' ? 'Applied' : 'Skipped duplicate'} ${envelope.type} ${envelope.eventId}`));
        this.count(message, envelope.type, outcome);
        return outcome;
      } catch (error) {
        this.metrics.handlerFailures.inc({ type: envelope.type });
        const reason = error instanceof Error ? error.message : String(error);
        runWithCorrelation(correlation, () =>
          this.logger.warn(`Applying ${envelope.type} ${envelope.eventId} failed (attempt ${attempt}/${this.options.consumer.maxAttempts}): ${reason}`),
        );
        if (attempt >= this.options.consumer.maxAttempts) {
          return runWithCorrelation(correlation, () => this.deadLetter(message, envelope, reason, attempt));
        }
        await sleep(this.options.consumer.retryDelayMs * 2 ** (attempt - 1));
        await heartbeat();
      }
    }
  }

  /** The dead letter is written through the outbox, so it is published exactly when it is recorded. */
  private async deadLetter(message: IncomingMessage, envelope: EventEnvelope | undefined, error: string, attempts: number): Promise<ConsumeOutcome> {
    const topic = prefixed(this.options, deadLetterTopicOf(this.options.service));
    await this.tx.run(async () => {
      const first = await this.deadLetters.recordOnce({
        sourceTopic: message.topic,
        sourcePartition: message.partition,
        sourceOffset: message.offset,
        key: message.key,
        eventId: envelope?.eventId ?? null,
        eventType: envelope?.type ?? null,
        error,
        attempts,
        rawValue: message.value,
      });
      if (!first) return;
      const eventId = randomUUID();
      await this.outbox.append({
        eventId,
        topic,
        key: message.key ?? `${message.topic}-${message.partition}`,
        eventType: 'DeadLetter',
        payload: {
          deadLetterId: eventId,
          consumer: this.options.service,
          source: { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key },
          eventId: envelope?.eventId ?? null,
          eventType: envelope?.type ?? null,
          error,
          attempts,
          failedAt: new Date().toISOString(),
          originalValue: message.value,
        },
        headers: { 'event-type': 'DeadLetter' },
      });
    });
    this.logger.error(`Dead-lettered ${message.topic}/${message.partition}@${message.offset} after ${attempts} attempt(s): ${error}`);
    this.count(message, envelope?.type ?? 'unknown', 'dead_lettered');
    return 'dead_lettered';
  }

  private count(message: IncomingMessage, type: string, outcome: ConsumeOutcome): void {
    this.metrics.consumed.inc({ topic: message.topic, type, outcome });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
