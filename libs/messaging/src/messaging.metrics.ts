import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@app/observability';

/** `awaiting_cause`: not applied yet, its partition paused until its cause has been (AwaitingCause). */
export type ConsumeOutcome = 'applied' | 'duplicate' | 'ignored' | 'dead_lettered' | 'awaiting_cause';

/** Every messaging metric, registered once per application. */
@Injectable()
export class MessagingMetrics {
  readonly published: Counter<'topic'>;
  readonly consumed: Counter<'topic' | 'type' | 'outcome'>;
  readonly handlerFailures: Counter<'type'>;
  readonly appliedTogether: Counter<'type'>;
  readonly handling: Histogram<'type'>;
  readonly outboxBacklog: Gauge;
  readonly outboxOldestAge: Gauge;
  readonly deadLetters: Gauge;
  readonly consumerLag: Gauge<'topic'>;

  /** Set by MessagingStatus: the gauges below are read from the database and the broker at scrape time. */
  refreshGauges?: () => Promise<void>;
  private refreshing?: { at: number; done: Promise<void> };

  constructor(@Inject(METRICS_REGISTRY) readonly registry: Registry) {
    const registers = [registry];
    // prom-client collects every metric of a scrape in parallel: one shared refresh feeds them all.
    const refreshed = () => this.refreshOnce();
    this.published = new Counter({
      name: 'events_published_total',
      help: 'Events relayed from the outbox to Kafka',
      labelNames: ['topic'],
      registers,
    });
    this.consumed = new Counter({
      name: 'events_consumed_total',
      help: 'Messages consumed, by outcome (applied, duplicate, ignored, dead_lettered, awaiting_cause: each time one is found waiting for its cause)',
      labelNames: ['topic', 'type', 'outcome'],
      registers,
    });
    this.handlerFailures = new Counter({
      name: 'event_handler_failures_total',
      help: 'Failed attempts to apply an event',
      labelNames: ['type'],
      registers,
    });
    this.appliedTogether = new Counter({
      name: 'events_applied_together_total',
      help: 'Events applied in one transaction with others (a run of a partition), counted once committed',
      labelNames: ['type'],
      registers,
    });
    this.handling = new Histogram({
      name: 'event_handling_seconds',
      help: 'Time to apply one event, transaction included',
      labelNames: ['type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.outboxBacklog = new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox messages not yet published',
      registers,
      collect: refreshed,
    });
    this.outboxOldestAge = new Gauge({
      name: 'outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished outbox message',
      registers,
      collect: refreshed,
    });
    this.deadLetters = new Gauge({
      name: 'dead_letters',
      help: 'Dead letters still open: neither replayed nor discarded by an operator',
      registers,
      collect: refreshed,
    });
    this.consumerLag = new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Messages not yet consumed by this service, per topic',
      labelNames: ['topic'],
      registers,
      collect: refreshed,
    });
  }

  private refreshOnce(): Promise<void> {
    const now = Date.now();
    if (!this.refreshing || now - this.refreshing.at > 500) {
      this.refreshing = { at: now, done: this.refreshGauges?.() ?? Promise.resolve() };
    }
    return this.refreshing.done;
  }
}
