import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DeadLetterRepository } from './dead-letters/dead-letter.repository';
import { EventProcessor } from './consuming/event-processor';
import { KafkaEventServer } from './consuming/kafka-event.server';
import { TopicAdmin } from './kafka/topic-admin';
import { MessagingMetrics } from './messaging.metrics';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { OutboxRepository } from './outbox/outbox.repository';

/** An unpublished message older than this means the relay is stuck. */
const OUTBOX_STUCK_AFTER_SECONDS = 60;
const BROKER_TIMEOUT_MS = 2500;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Health indicators and scrape-time gauges for Kafka, the outbox, dead letters and consumer lag. */
@Injectable()
export class MessagingStatus implements OnModuleInit {
  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly indicators: HealthIndicatorService,
    private readonly admin: TopicAdmin,
    private readonly server: KafkaEventServer,
    private readonly outbox: OutboxRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly metrics: MessagingMetrics,
    private readonly processor: EventProcessor,
  ) {}

  onModuleInit(): void {
    this.metrics.refreshGauges = () => this.refreshGauges();
  }

  async kafka(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('kafka');
    try {
      const cluster = await withTimeout(this.admin.describeCluster(), BROKER_TIMEOUT_MS, 'Kafka');
      return indicator.up({ brokers: cluster.brokers });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  async outboxBacklog(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('outbox');
    const backlog = await this.outbox.backlog();
    const details = {
      backlog: backlog.count,
      oldestAgeSeconds: Math.round(backlog.oldestAgeSeconds),
      relayEnabled: this.options.relay.enabled,
    };
    return backlog.oldestAgeSeconds > OUTBOX_STUCK_AFTER_SECONDS ? indicator.down(details) : indicator.up(details);
  }

  /**
   * Open dead letters (neither replayed nor discarded), lag and events awaiting their cause (this instance's) are
   * shown, not judged: they call for an operator, not a restart.
   */
  async consumption(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('consumer');
    const deadLetters = await this.deadLetters.countOpen();
    const lag = await this.lagByTopic().catch(() => ({}));
    return indicator.up({
      groupId: this.server.groupId,
      deadLetters,
      lag,
      awaitingCause: this.processor.awaitingCause(),
    });
  }

  async lagByTopic(): Promise<Record<string, number>> {
    const topics = this.server.subscribedTopics();
    if (topics.length === 0) return {};
    const lags = await withTimeout(this.admin.consumerLag(this.server.groupId, topics), BROKER_TIMEOUT_MS, 'Kafka');
    const byTopic: Record<string, number> = {};
    for (const { topic, lag } of lags) byTopic[topic] = (byTopic[topic] ?? 0) + lag;
    return byTopic;
  }

  private async refreshGauges(): Promise<void> {
    const backlog = await this.outbox.backlog();
    this.metrics.outboxBacklog.set(backlog.count);
    this.metrics.outboxOldestAge.set(backlog.oldestAgeSeconds);
    this.metrics.deadLetters.set(await this.deadLetters.countOpen());
    const lag = await this.lagByTopic().catch(() => ({}) as Record<string, number>);
    for (const [topic, value] of Object.entries(lag)) this.metrics.consumerLag.set({ topic }, value);
  }
}
