import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Admin } from 'kafkajs';
import { DEAD_LETTER_TOPIC_PARTITIONS, deadLetterTopicOf, EVENT_TOPIC_PARTITIONS, Topics } from '@app/contracts';
import { MESSAGING_OPTIONS, MessagingOptions, prefixed } from '../messaging.options';
import { createKafka } from './kafka-client';

const TOPIC_CREATION_ATTEMPTS = 8;
/** How long a starting instance waits for an unreachable broker before it gives up. */
const BROKER_START_WAIT_MS = 120_000;

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** Topic creation, broker health and consumer lag: the administrative side of Kafka. */
@Injectable()
export class TopicAdmin implements OnApplicationShutdown {
  private readonly logger = new Logger(TopicAdmin.name);
  private admin?: Admin;

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = createKafka(this.options, 'admin').admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  /**
   * An instance may start while the broker restarts (a crash, a rolling
   * upgrade): it waits for it, up to BROKER_START_WAIT_MS, instead of exiting
   * at once and leaving its orchestrator to start it over and over.
   */
  private async connectedAtStart(): Promise<Admin> {
    const deadline = Date.now() + BROKER_START_WAIT_MS;
    for (;;) {
      try {
        return await this.connected();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        this.logger.warn(`Kafka is not reachable yet (${(error as Error).message}): waiting for it`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  /**
   * Creates every event topic and this service's dead-letter topic with their
   * partition counts; the broker never creates topics on its own. Every
   * service does it, so services can start in any order.
   */
  async ensureTopics(): Promise<void> {
    const admin = await this.connectedAtStart();
    const wanted = [
      ...Object.values(Topics).map((name) => ({
        topic: prefixed(this.options, name),
        numPartitions: EVENT_TOPIC_PARTITIONS,
      })),
      {
        topic: prefixed(this.options, deadLetterTopicOf(this.options.service)),
        numPartitions: DEAD_LETTER_TOPIC_PARTITIONS,
      },
    ];
    let lastError: unknown;
    for (let attempt = 1; attempt <= TOPIC_CREATION_ATTEMPTS; attempt++) {
      const existing = new Set(await admin.listTopics());
      const missing = wanted.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return;
      // Services start together and race to create the same topics. A lost race is
      // an error for the whole request, or an early "already exists" before the
      // broker's metadata shows the topic: look again, a little later, until all exist.
      // Retention is left to the broker's default (forever here): reporting rebuilds by replay.
      lastError = await admin
        .createTopics({ topics: missing.map((t) => ({ ...t, replicationFactor: -1 })), waitForLeaders: true })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
    throw new Error(
      `Could not create the Kafka topics: ${(lastError as Error)?.message ?? 'they never appeared in the metadata'}`,
    );
  }

  async describeCluster(): Promise<{ brokers: number; controller: number | null }> {
    const admin = await this.connected();
    const cluster = await admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller };
  }

  /** How many messages the group has yet to consume, per partition of the given topics. */
  async consumerLag(groupId: string, topics: string[]): Promise<PartitionLag[]> {
    const admin = await this.connected();
    const committed = await admin.fetchOffsets({ groupId, topics });
    const lags: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        // A group that never committed on a partition has all of it to consume from the low watermark.
        const start = done === '-1' ? BigInt(end.low) : BigInt(done);
        lags.push({ topic, partition: end.partition, lag: Number(BigInt(end.high) - start) });
      }
    }
    return lags;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }
}
