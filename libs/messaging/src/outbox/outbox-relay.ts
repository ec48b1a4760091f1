import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Partitioners, Producer } from 'kafkajs';
import { createKafka } from '../kafka/kafka-client';
import { MessagingMetrics } from '../messaging.metrics';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { OutboxRepository, PendingMessage } from './outbox.repository';

const ERROR_BACKOFF_MS = 1000;

/**
 * Publishes outbox messages to Kafka in id order. The idempotent producer with
 * one request in flight keeps per-partition order through retries; the
 * database lock taken per batch keeps several instances from interleaving.
 * At least once: a crash after sending but before marking republishes the
 * batch, and consumers' inboxes drop the duplicates.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private producer?: Producer;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private woken = false;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly outbox: OutboxRepository,
    private readonly metrics: MessagingMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.relay.enabled) {
      this.logger.log('Outbox relay disabled on this instance');
      return;
    }
    this.producer = createKafka(this.options, 'relay').producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a transaction that wrote to the outbox commits: publish now rather than at the next poll. */
  wakeUp(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published: number | null = 0;
      try {
        published = await this.outbox.publishNextBatch(this.options.relay.batchSize, (messages) => this.send(messages));
      } catch (error) {
        this.logger.error(`Outbox relay failed, retrying: ${(error as Error).message}`);
        await this.pause(ERROR_BACKOFF_MS);
        continue;
      }
      // A full batch means more is waiting: go on at once.
      if (published !== this.options.relay.batchSize) await this.pause(this.options.relay.pollIntervalMs);
    }
  }

  private async send(messages: PendingMessage[]): Promise<void> {
    const byTopic = new Map<string, PendingMessage[]>();
    for (const message of messages) byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    await this.producer!.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((m) => ({ key: m.key, value: JSON.stringify(m.payload), headers: m.headers })),
      })),
    });
    for (const [topic, list] of byTopic) this.metrics.published.inc({ topic }, list.length);
  }

  /** Waits for the poll interval, or less if woken; a wake-up that came during a batch is not lost. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, this.woken ? 0 : ms);
      this.wake = done;
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.producer?.disconnect();
  }
}
