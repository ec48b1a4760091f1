import { Inject, Injectable, Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, IHeaders } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { isDatabaseUnavailable } from '@app/database';
import { allEventDefinitions } from '@app/contracts';
import type { MessageHeaders } from '../dead-letters/dead-letter.entity';
import type { DeadLetterRecord } from '../dead-letters/dead-letter.repository';
import { createKafka } from '../kafka/kafka-client';
import { TopicAdmin } from '../kafka/topic-admin';
import { MESSAGING_OPTIONS, MessagingOptions, prefixed } from '../messaging.options';
import { ConsumedEvent } from './incoming-message';
import { EventHandler, EventProcessor } from './event-processor';
import { EventHandlerExtras } from './on-event.decorator';
import { OutboxRelay } from '../outbox/outbox-relay';

/** How often a consumer tries again while the database is unavailable. */
const DATABASE_RETRY_MS = 1000;

/**
 * The Kafka side of a hybrid Nest app: handlers are `@OnEvent` methods of
 * controllers; this server subscribes to the topics that carry their event
 * types and commits an offset only once the message's transaction committed.
 */
@Injectable()
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(KafkaEventServer.name);
  private consumer?: Consumer;
  private joined?: Promise<void>;
  private running?: Promise<void>;
  private closing = false;
  /** One function per `@OnEvent` method, whichever of its types is asked for. */
  private readonly methodHandlers = new Map<object | symbol, EventHandler>();
  /** Partitions paused for a message awaiting its cause, and how many times in a row. */
  private readonly pausesInARow = new Map<string, number>();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly topics: TopicAdmin,
    private readonly processor: EventProcessor,
    private readonly relay: OutboxRelay,
  ) {
    super();
  }

  get groupId(): string {
    return prefixed(this.options, this.options.service);
  }

  /** The topics this service consumes, derived from the event types it handles. */
  subscribedTopics(): string[] {
    const handled = new Set(this.getHandlers().keys());
    const topics = allEventDefinitions()
      .filter((d) => handled.has(d.type))
      .map((d) => prefixed(this.options, d.topic));
    return [...new Set(topics)].sort();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(() => callback(), callback);
  }

  /** Resolves once the consumer has joined its group (immediately when nothing is consumed). */
  whenJoined(): Promise<void> {
    return this.joined ?? Promise.resolve();
  }

  private async start(): Promise<void> {
    await this.topics.ensureTopics();
    const unknown = [...this.getHandlers().keys()].filter(
      (type) => !allEventDefinitions().some((d) => d.type === type),
    );
    if (unknown.length > 0) throw new Error(`No contract declares the handled event type(s): ${unknown.join(', ')}`);
    const topics = this.subscribedTopics();
    if (topics.length === 0) return;

    const consumer = createKafka(this.options, 'consumer').consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      // Short enough that a crashed instance's partitions move within seconds; handlers are far shorter.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      // After a crash kafkajs restarts the consumer, except once the service is closing.
      retry: { restartOnFailure: async () => !this.closing },
    });
    this.consumer = consumer;
    this.joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.processor.keepAwaitingOnly(payload.memberAssignment));
    await consumer.connect();
    // From the beginning: a new group must see events published before it first joined.
    await consumer.subscribe({ topics, fromBeginning: true });
    // Not awaited: joining the group can wait for a rebalance (e.g. after a crash),
    // and the HTTP side must not wait for it. kafkajs retries and restarts on its own.
    this.running = consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.consumer.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.consumeBatch(payload),
      })
      .catch((error: Error) => this.logger.error(`Consumer of ${this.groupId} stopped: ${error.message}`));
    this.logger.log(`Consuming ${topics.join(', ')} as group ${this.groupId}`);
  }

  private async consumeBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
    pause,
  }: EachBatchPayload): Promise<void> {
    const size = this.options.consumer.batchSize;
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!isRunning() || isStale()) return;
      const messages = batch.messages.slice(start, start + size);
      const incoming = messages.map((message) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: headersOf(message.headers),
      }));
      const settled = await this.untilDatabaseAnswers(isRunning, isStale, heartbeat, () =>
        this.processor.processBatch(incoming, (type) => this.handlerFor(type), heartbeat),
      );
      if (settled === undefined) return;
      // Their database transaction has committed: only now may the offset move past these messages.
      if (settled > 0) {
        const last = messages[settled - 1].offset;
        resolveOffset(last);
        await this.consumer!.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
        ]);
        // Progress starts the backoff over.
        this.pausesInARow.delete(`${batch.topic}/${batch.partition}`);
      }
      await heartbeat();
      if (settled < messages.length) return this.pauseForCause(batch.topic, batch.partition, pause);
    }
  }

  /**
   * The database is away (restarting, failing over): the same messages are
   * tried again once it answers, every second or so, with heartbeats so that
   * the group keeps this partition here. Nothing is dead-lettered for it.
   * Undefined when the consumer stops or loses the partition meanwhile.
   */
  private async untilDatabaseAnswers(
    isRunning: () => boolean,
    isStale: () => boolean,
    heartbeat: () => Promise<void>,
    work: () => Promise<number>,
  ): Promise<number | undefined> {
    for (let waited = 0; ; waited++) {
      try {
        return await work();
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        if (waited % 10 === 0)
          this.logger.warn(`The database is unavailable (${(error as Error).message}): waiting for it`);
        await new Promise((resolve) => setTimeout(resolve, DATABASE_RETRY_MS));
        if (!isRunning() || isStale()) return undefined;
        await heartbeat();
      }
    }
  }

  /**
   * A message awaits its cause: kafkajs fetches this partition again from that
   * message once resumed; meanwhile the other partitions, the cause's among
   * them, go on. The pause doubles while the partition stays stuck, up to 5 s
   * and to a quarter of the time a message may wait for its cause.
   */
  private pauseForCause(topic: string, partition: number, pause: () => () => void): void {
    const key = `${topic}/${partition}`;
    const inARow = this.pausesInARow.get(key) ?? 0;
    this.pausesInARow.set(key, inARow + 1);
    const resume = pause();
    const { retryDelayMs, awaitCauseMs } = this.options.consumer;
    setTimeout(
      resume,
      Math.min(Math.max(retryDelayMs, 50) * 2 ** inARow, 5000, Math.max(awaitCauseMs / 4, 50)),
    ).unref();
  }

  /**
   * A dead letter applied again through the handlers and the inbox of the live
   * consumer (see EventProcessor.replay): 'duplicate' when it was applied
   * meanwhile; throws why it still cannot be applied.
   */
  replay(letter: Pick<DeadLetterRecord, 'source' | 'message'>): Promise<'applied' | 'duplicate'> {
    return this.processor.replay(
      { ...letter.source, value: letter.message.value, headers: letter.message.headers ?? {} },
      (type) => this.handlerFor(type),
    );
  }

  /** The same function for every type one `@OnEvent` method lists, so that a run of mixed types can go to it at once. */
  private handlerFor(type: string): EventHandler | undefined {
    const handler = this.getHandlerByPattern(type);
    if (!handler) return undefined;
    const group = (handler.extras as EventHandlerExtras | undefined)?.handlerGroup ?? handler;
    let wrapped = this.methodHandlers.get(group);
    if (!wrapped) {
      wrapped = async (events: ConsumedEvent[]) => {
        const result = await handler(events);
        // Nest wraps handlers: errors come back as an erroring Observable.
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      };
      this.methodHandlers.set(group, wrapped);
    }
    return wrapped;
  }

  /**
   * Nest calls this after the HTTP server closed and before the database
   * closes: stop fetching, let the batch in progress finish, then let the
   * relay publish what was committed last.
   */
  async close(): Promise<void> {
    this.closing = true;
    // kafkajs cannot abort a join in progress: let it finish (at most a session timeout), then leave the group.
    await Promise.race([this.whenJoined(), new Promise((resolve) => setTimeout(resolve, 12_000).unref())]);
    await this.consumer?.disconnect();
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    this.consumer = undefined;
    await this.relay.stop();
  }

  on(): void {
    throw new Error('KafkaEventServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

/** Header values as UTF-8 text, as they are kept with a dead letter. */
function headersOf(headers: IHeaders | undefined): MessageHeaders {
  const text: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    text[name] = Array.isArray(value) ? value.map((item) => item.toString()) : value.toString();
  }
  return text;
}
