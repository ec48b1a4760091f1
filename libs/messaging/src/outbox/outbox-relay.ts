import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, Producer } from 'kafkajs';
import { createKafka } from '../kafka/kafka-client';
import { MessagingMetrics } from '../messaging.metrics';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { OutboxRepository, PendingMessage } from './outbox.repository';

const ERROR_BACKOFF_MS = 1000;
/** Bounds the last publication at shutdown; whatever is left waits for the next start. */
const MAX_DRAIN_BATCHES = 20;
/** Published rows are kept a week for inspection, then deleted hourly: the topics keep the events. */
const PUBLISHED_RETENTION_MS = 7 * 24 * 3600 * 1000;
const CLEANUP_EVERY_MS = 3600 * 1000;

/**
 * Publishes outbox messages to Kafka in id order. The idempotent producer with
 * one request in flight keeps per-partition order through retries; the
 * database lock taken per batch keeps several instances from interleaving.
 * At least once: a crash after sending but before marking republishes the
 * batch, and consumers' inboxes drop the duplicates.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private producer?: Producer;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private woken = false;
  private stopping?: Promise<void>;
  private lastCleanup = 0;

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
      let published: number | null;
      try {
        published = await this.outbox.publishNextBatch(this.options.relay.batchSize, (messages) => this.send(messages));
      } catch (error) {
        this.logger.error(`Outbox relay failed, retrying: ${(error as Error).message}`);
        await this.pause(ERROR_BACKOFF_MS);
        continue;
      }
      // A full batch means more is waiting: go on at once.
      if (published !== this.options.relay.batchSize) {
        await this.cleanUpNowAndThen();
        const woken = await this.pause(this.options.relay.pollIntervalMs);
        if (woken && this.running && this.options.relay.lingerMs > 0)
          await new Promise((resolve) => setTimeout(resolve, this.options.relay.lingerMs));
      }
    }
  }

  private async cleanUpNowAndThen(): Promise<void> {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = Date.now();
    await this.outbox.deletePublishedBefore(new Date(Date.now() - PUBLISHED_RETENTION_MS)).catch((error: Error) => {
      this.logger.warn(`Outbox cleanup failed: ${error.message}`);
    });
  }

  private async send(messages: PendingMessage[]): Promise<void> {
    const byTopic = new Map<string, PendingMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic);
      if (list) list.push(message);
      else byTopic.set(message.topic, [message]);
    }
    await this.producer!.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      })),
    });
    for (const [topic, list] of byTopic) this.metrics.published.inc({ topic }, list.length);
  }

  /** Waits for the poll interval, or less if woken (then true); a wake-up that came during a batch is not lost. */
  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (woken: boolean): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve(woken);
      };
      const timer = setTimeout(() => done(this.woken), this.woken ? 0 : ms);
      this.wake = () => done(true);
    });
  }

  /**
   * Called once consumers and HTTP have stopped (KafkaEventServer.close), so
   * what they committed last is published before the database closes.
   */
  stop(): Promise<void> {
    this.stopping ??= this.drainAndStop();
    return this.stopping;
  }

  private async drainAndStop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    if (!this.producer) return;
    try {
      for (let batch = 0; batch < MAX_DRAIN_BATCHES; batch++) {
        const published = await this.outbox.publishNextBatch(this.options.relay.batchSize, (messages) =>
          this.send(messages),
        );
        if (!published) break;
      }
    } catch (error) {
      this.logger.warn(
        `Outbox not fully drained at shutdown; the rest is published at next start: ${(error as Error).message}`,
      );
    }
    await this.producer.disconnect();
  }

  /** Fallback when the app closes without its Kafka server having been started. */
  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}
