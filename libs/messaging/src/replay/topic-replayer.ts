import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { checkEvent, EventEnvelope, TopicName } from '@app/contracts';
import { createKafka } from '../kafka/kafka-client';
import { MESSAGING_OPTIONS, MessagingOptions, prefixed } from '../messaging.options';

/** Next offset per partition of one topic (a log end, or where a replay stopped). */
export type PartitionOffsets = Map<number, bigint>;

/** Where a replayed message sits in its topic, e.g. to order or trace what was applied. */
export interface ReplayedMessage {
  topic: TopicName;
  partition: number;
  offset: string;
}

export type ReplayHandler = (envelope: EventEnvelope, message: ReplayedMessage) => Promise<void>;

export interface ReplayedEvent {
  envelope: EventEnvelope;
  message: ReplayedMessage;
}

/** The valid envelopes of one fetched batch of one partition, in offset order. */
export type ReplayBatchHandler = (events: ReplayedEvent[]) => Promise<void>;

export interface ReplayOutcome {
  /** Valid envelopes given to the handler. */
  handled: number;
  /** Messages that are not a valid event (the live consumer dead-letters them): skipped. */
  invalid: number;
}

/**
 * Reads retained topics again, from the beginning or from a saved position, up
 * to offsets captured beforehand, with a fresh consumer group that commits
 * nothing: how a read model is rebuilt while the live consumer goes on.
 */
@Injectable()
export class TopicReplayer implements OnApplicationShutdown {
  private readonly logger = new Logger(TopicReplayer.name);
  /** Consumers of finished replays leaving their group (see replayBatches). */
  private readonly leaving = new Set<Promise<void>>();

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {}

  /** The log end of every partition, topic after topic in the given order (so causes are captured before their effects). */
  async endOffsets(topics: readonly TopicName[]): Promise<Map<TopicName, PartitionOffsets>> {
    const admin = createKafka(this.options, 'replay-admin').admin();
    await admin.connect();
    try {
      const ends = new Map<TopicName, PartitionOffsets>();
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsets(prefixed(this.options, topic));
        ends.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Gives the handler every valid envelope of `topic` from `from` (default:
   * the beginning) up to `to` (exclusive), in partition order; resolves once
   * every partition reached its end. A handler error stops the replay and rejects.
   */
  replay(
    topic: TopicName,
    to: PartitionOffsets,
    handler: ReplayHandler,
    from: PartitionOffsets = new Map(),
    concurrency = 1,
  ): Promise<ReplayOutcome> {
    return this.replayBatches(
      topic,
      to,
      async (events) => {
        for (const { envelope, message } of events) await handler(envelope, message);
      },
      from,
      concurrency,
    );
  }

  /**
   * As `replay`, but the handler gets the valid envelopes of each fetched batch
   * of a partition at once (up to `maxBatchSize`, in offset order; a partition's
   * batches one after the other), so that it can apply many in one transaction.
   *
   * A partition's batch is applied while the next fetch is decoded and checked:
   * kafkajs fetches again only once every batch of the last fetch was handed
   * over, so waiting for each to be applied would leave the database idle while
   * Node decodes, and Node idle while the database writes. Each partition has at
   * most `queueDepth` batches handed over and not yet applied (1: the one being
   * applied; 2: one more waiting behind it, so that the fetch after it goes on
   * meanwhile), and at most `concurrency` batches are applied at once (each
   * holds a database connection).
   */
  async replayBatches(
    topic: TopicName,
    to: PartitionOffsets,
    handler: ReplayBatchHandler,
    from: PartitionOffsets = new Map(),
    concurrency = 1,
    maxBatchSize = 2000,
    queueDepth = 1,
  ): Promise<ReplayOutcome> {
    const outcome: ReplayOutcome = { handled: 0, invalid: 0 };
    const pending = new Set(
      [...to].filter(([partition, end]) => end > (from.get(partition) ?? 0n)).map(([partition]) => partition),
    );
    if (pending.size === 0) return outcome;

    const name = prefixed(this.options, topic);
    const kafka = createKafka(this.options, 'replay');
    const groupId = `${prefixed(this.options, this.options.service)}-replay-${randomUUID()}`;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
    });
    let finish!: (error?: unknown) => void;
    const finished = new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve())));
    /** Per partition, the applications of its batches handed over and not finished, oldest first; they never reject (a failure ends the replay). */
    const applying = new Map<number, Array<Promise<void>>>();
    const slots = new Slots(concurrency);
    const applyInOrder = async (partition: number, chunks: ReplayedEvent[][], last: boolean): Promise<void> => {
      try {
        for (const chunk of chunks) {
          // Another partition failed: the replay is over.
          if (!pending.has(partition)) return;
          await slots.run(() => handler(chunk));
          outcome.handled += chunk.length;
        }
      } catch (error) {
        pending.clear();
        finish(error);
        return;
      }
      if (last && pending.delete(partition) && pending.size === 0) finish();
    };

    // kafkajs restarts a crashed consumer on retriable errors; any other crash ends the replay.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      // The batches still queued must not write any more.
      pending.clear();
      finish(payload.error);
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: name, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: concurrency,
        eachBatch: async ({ batch, heartbeat, isRunning }) => {
          const { partition } = batch;
          const end = to.get(partition) ?? 0n;
          const start = from.get(partition) ?? 0n;
          const chunks: ReplayedEvent[][] = [];
          let events: ReplayedEvent[] = [];
          for (const message of batch.messages) {
            if (!isRunning() || !pending.has(partition)) return;
            const offset = BigInt(message.offset);
            if (offset >= end) break;
            // A seek takes effect at the next fetch: what was fetched before it is skipped here.
            if (offset < start) continue;
            const check = checkEvent(parseJson(message.value?.toString()));
            if (!check.valid) outcome.invalid++;
            else events.push({ envelope: check.envelope, message: { topic, partition, offset: message.offset } });
            if (events.length >= maxBatchSize) {
              chunks.push(events);
              events = [];
            }
            if (offset + 1n >= end) break;
          }
          if (events.length > 0) chunks.push(events);
          const lastMessage = batch.messages.at(-1);
          const last = lastMessage !== undefined && BigInt(lastMessage.offset) + 1n >= end;
          // Nothing past the end is needed.
          if (last) consumer.pause([{ topic: name, partitions: [partition] }]);
          if (!applying.has(partition)) applying.set(partition, []);
          const queue = applying.get(partition)!;
          // Waiting here holds up kafkajs's next fetch (of every partition): at most queueDepth batches of a partition are handed over and not yet applied.
          while (queue.length >= queueDepth) await queue[0];
          if (!isRunning() || !pending.has(partition)) return;
          await heartbeat();
          const application = (queue.at(-1) ?? Promise.resolve()).then(() => applyInOrder(partition, chunks, last));
          queue.push(application);
          void application.then(() => queue.splice(queue.indexOf(application), 1));
        },
      });
      for (const [partition, offset] of from) {
        if (pending.has(partition) && offset > 0n) consumer.seek({ topic: name, partition, offset: offset.toString() });
      }
      await finished;
      return outcome;
    } finally {
      // A failure ends the replay while other partitions may still be applying a batch: they finish first.
      await Promise.all([...applying.values()].flat());
      // Leaving waits for the fetch in flight (up to maxWaitTimeInMs) and for the group's removal, about
      // 80 ms that the next replay (a rebuild replays topic after topic) need not wait for.
      this.inBackground(consumer.disconnect().then(() => this.forgetGroup(kafka, groupId)));
    }
  }

  /** Resolves once the consumers of finished replays have left the broker. */
  async settled(): Promise<void> {
    while (this.leaving.size > 0) await Promise.all(this.leaving);
  }

  onApplicationShutdown(): Promise<void> {
    return this.settled();
  }

  private inBackground(leaving: Promise<void>): void {
    const tracked = leaving
      .catch((error: Error) => this.logger.warn(`A replay consumer did not leave cleanly: ${error.message}`))
      .finally(() => this.leaving.delete(tracked));
    this.leaving.add(tracked);
  }

  /** The group committed nothing; removing it keeps the broker's group list readable. */
  private async forgetGroup(kafka: ReturnType<typeof createKafka>, groupId: string): Promise<void> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch (error) {
      this.logger.debug(`Could not delete replay group ${groupId}: ${(error as Error).message}`);
    } finally {
      await admin.disconnect();
    }
  }
}

/** At most `size` tasks at once; the others wait their turn, in order. */
class Slots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

function parseJson(value: string | undefined): unknown {
  try {
    return JSON.parse(value ?? '');
  } catch {
    return undefined;
  }
}
