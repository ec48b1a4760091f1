import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { checkEvent, deadLetterTopicOf, EventEnvelope } from '@app/contracts';
import { isDatabaseUnavailable, TransactionHost } from '@app/database';
import { runWithCorrelation } from '@app/observability';
import { DeadLetterRepository } from '../dead-letters/dead-letter.repository';
import { InboxRepository } from '../inbox/inbox.repository';
import { ConsumeOutcome, MessagingMetrics } from '../messaging.metrics';
import { MESSAGING_OPTIONS, MessagingOptions, prefixed } from '../messaging.options';
import { OutboxRepository } from '../outbox/outbox.repository';
import { applyInHalves } from './apply-in-halves';
import { AwaitingCause } from './awaiting-cause';
import { correlationOf } from './correlation-of';
import { ConsumedEvent, IncomingMessage } from './incoming-message';

/** An `@OnEvent` method: the same function for every type it lists. */
export type EventHandler = (events: ConsumedEvent[]) => Promise<void>;

/** A consumed message once parsed: applied by a handler, skipped, or dead-lettered as it is. */
type Routed =
  | { kind: 'apply'; message: IncomingMessage; envelope: EventEnvelope; handler: EventHandler }
  | { kind: 'ignore'; message: IncomingMessage; type: string }
  | { kind: 'dead-letter'; message: IncomingMessage; envelope?: EventEnvelope; reason: string };
type Applicable = Extract<Routed, { kind: 'apply' }>;

/**
 * Applies consumed messages: validate, then inbox records + effects in one
 * transaction, retried a bounded number of times, then dead-lettered. It
 * never throws for a bad message, so a poison message cannot block its partition.
 */
@Injectable()
export class EventProcessor {
  private readonly logger = new Logger(EventProcessor.name);
  /**
   * Causes that did not come within awaitCauseMs for an event, oldest first:
   * the events that follow it (a booklet's other passes) are dead-lettered at
   * once instead of each stopping its partition as long again.
   */
  private readonly givenUp = new Set<string>();
  /** Each message now awaiting its cause, by topic/partition@offset: since when, and what for. */
  private readonly awaitingSince = new Map<
    string,
    { since: number; awaited: string; topic: string; partition: number }
  >();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly tx: TransactionHost,
    private readonly inbox: InboxRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly outbox: OutboxRepository,
    private readonly metrics: MessagingMetrics,
  ) {}

  /**
   * Consecutive messages of one partition, in order, applied in one
   * transaction: one inbox statement, one commit. Each transaction and each
   * round trip is costly next to a handler's work, so this is what keeps a
   * consumer up with its producers. If the transaction fails, the messages are
   * split in halves until the failing one is alone: the ones before it commit,
   * it is retried and dead-lettered alone, the ones after it go on. Returns how
   * many messages, from the first, are settled: all of them, unless one awaits
   * its cause (AwaitingCause), which must then be fetched again with those
   * after it. Throws only when the database fails or is unavailable (then
   * nothing counts as an attempt: see isDatabaseUnavailable).
   */
  async processBatch(
    messages: IncomingMessage[],
    handlerFor: (type: string) => EventHandler | undefined,
    heartbeat: () => Promise<void>,
  ): Promise<number> {
    const routed = messages.map((message) => this.route(message, handlerFor));
    const applicable = routed.filter((item): item is Applicable => item.kind === 'apply');
    const alone = async (item: Applicable) => (await this.applyAlone(item, heartbeat)) !== 'awaiting_cause';
    // The message this partition stopped at last time is tried alone first: while its cause is missing, no batch is split for it.
    const firstAwaited = applicable.length > 1 && this.awaitingSince.has(positionOf(applicable[0].message));
    let applied = firstAwaited && (await alone(applicable[0])) ? 1 : 0;
    if (!firstAwaited || applied === 1) {
      const rest = applicable.slice(applied);
      applied += await applyInHalves(
        rest,
        (items) => this.applyTogether(items, heartbeat),
        alone,
        (size, error) => this.onSplit(size, rest.length, error, heartbeat),
      );
    }
    const settled = applied < applicable.length ? messages.indexOf(applicable[applied].message) : messages.length;
    // Only this partition's offset, committed after the batch, depends on the order: skipped messages and dead letters
    // are settled after the applied ones, those behind a message awaiting its cause once they are fetched again.
    for (const item of routed.slice(0, settled)) if (item.kind !== 'apply') await this.settleUnapplied(item);
    return settled;
  }

  private route(message: IncomingMessage, handlerFor: (type: string) => EventHandler | undefined): Routed {
    let raw: unknown;
    try {
      raw = JSON.parse(message.value ?? '');
    } catch {
      return { kind: 'dead-letter', message, reason: 'message value is not JSON' };
    }
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    const handler = typeof type === 'string' ? handlerFor(type) : undefined;
    // Topics carry every event of their producer: the ones this service does not need are skipped.
    if (typeof type === 'string' && !handler) return { kind: 'ignore', message, type };
    const check = checkEvent(raw);
    if (!check.valid || !handler)
      return {
        kind: 'dead-letter',
        message,
        envelope: check.envelope,
        reason: check.valid ? 'no handler' : check.reason,
      };
    return { kind: 'apply', message, envelope: check.envelope, handler };
  }

  private async settleUnapplied(routed: Exclude<Routed, Applicable>): Promise<void> {
    if (routed.kind === 'ignore') this.count(routed.message, routed.type, 'ignored');
    else await this.deadLetter(routed.message, routed.envelope, routed.reason, 1);
  }

  /** Several events in one transaction; throws if any of them fails (the caller then splits them). */
  private async applyTogether(items: Applicable[], heartbeat: () => Promise<void>): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const outcomes = await this.withDeadlockRetries(heartbeat, () => this.transact(items));
    const secondsEach = Number(process.hrtime.bigint() - startedAt) / 1e9 / items.length;
    items.forEach(({ envelope, message }, index) => {
      this.awaitingSince.delete(positionOf(message));
      if (outcomes[index] === 'applied') this.metrics.appliedTogether.inc({ type: envelope.type });
      this.metrics.handling.observe({ type: envelope.type }, secondsEach);
      this.logOutcome(envelope, outcomes[index]);
      this.count(message, envelope.type, outcomes[index]);
    });
  }

  private async onSplit(
    size: number,
    batchSize: number,
    error: unknown,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    // No message is at fault when the database is away: splitting would only try each one against it.
    if (isDatabaseUnavailable(error)) throw error;
    const summary = `A batch of ${size} messages failed (${error instanceof Error ? error.message : String(error)}): applying it in halves`;
    // Awaiting a cause is no failure; the first split of a batch says why, the deeper ones only narrow it down.
    if (size === batchSize && !(error instanceof AwaitingCause)) this.logger.warn(summary);
    else this.logger.debug(summary);
    await heartbeat();
  }

  /**
   * The one transaction of a run of events: the ones already in the inbox (a
   * redelivery, or the same event twice in the run) are skipped, the others go
   * to their handlers, consecutive ones of the same handler at once, and are
   * recorded. Returns each event's outcome.
   */
  private transact(items: Applicable[]): Promise<ConsumeOutcome[]> {
    return this.tx.run(async () => {
      const known = await this.inbox.alreadyRecorded(
        this.options.service,
        items.map(({ envelope }) => envelope.eventId),
      );
      const outcomes: ConsumeOutcome[] = [];
      const fresh: Applicable[] = [];
      for (const item of items) {
        const id = item.envelope.eventId.toLowerCase();
        outcomes.push(known.has(id) ? 'duplicate' : 'applied');
        if (known.has(id)) continue;
        known.add(id);
        fresh.push(item);
      }
      for (const run of runsOfOneHandler(fresh)) {
        const handOver = () => run[0].handler(run.map(({ envelope, message }) => ({ envelope, message })));
        await (run.length === 1 ? runWithCorrelation(correlationOf(run[0].envelope), handOver) : handOver());
      }
      // Last, so its time is the commit's. Another instance that applied one of them meanwhile (a rebalance) makes it fail: all roll back.
      if (fresh.length === 0) return outcomes;
      const recorded = await this.inbox.recordMany(
        this.options.service,
        fresh.map(({ envelope }) => ({ eventId: envelope.eventId, eventType: envelope.type })),
      );
      if (recorded.size !== fresh.length) throw new Error('Another consumer applied some of these events meanwhile');
      return outcomes;
    });
  }

  /**
   * A batch holds its row locks until it commits, so two batches touching the
   * same accounts in different orders (another partition, another instance,
   * an HTTP request) can deadlock; PostgreSQL then aborts one. That is no
   * fault of the messages: the batch is tried again as a whole.
   */
  private async withDeadlockRetries<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= BATCH_DEADLOCK_ATTEMPTS || !isTransientConflict(error)) throw error;
        this.logger.warn(`A batch was aborted by the database (${(error as Error).message}): trying it again`);
        await sleep(Math.random() * this.options.consumer.retryDelayMs);
        await heartbeat();
      }
    }
  }

  /** One event alone, with the usual retries: applied, a duplicate, awaiting its cause, or dead-lettered. */
  private async applyAlone(item: Applicable, heartbeat: () => Promise<void>): Promise<ConsumeOutcome> {
    const { message, envelope } = item;
    const correlation = correlationOf(envelope);
    for (let attempt = 1; ; attempt++) {
      const stopTimer = this.metrics.handling.startTimer({ type: envelope.type });
      try {
        const [outcome] = await this.transact([item]);
        stopTimer();
        this.awaitingSince.delete(positionOf(message));
        this.logOutcome(envelope, outcome);
        this.count(message, envelope.type, outcome);
        return outcome;
      } catch (error) {
        if (error instanceof AwaitingCause) return this.awaitCause(message, envelope, error);
        // Not an attempt: the event would be dead-lettered for the database's outage. The caller waits for it.
        if (isDatabaseUnavailable(error)) throw error;
        this.metrics.handlerFailures.inc({ type: envelope.type });
        const reason = error instanceof Error ? error.message : String(error);
        runWithCorrelation(correlation, () =>
          this.logger.warn(
            `Applying ${envelope.type} ${envelope.eventId} failed (attempt ${attempt}/${this.options.consumer.maxAttempts}): ${reason}`,
          ),
        );
        if (attempt >= this.options.consumer.maxAttempts) {
          return runWithCorrelation(correlation, () => this.deadLetter(message, envelope, reason, attempt));
        }
        await sleep(this.options.consumer.retryDelayMs * 2 ** (attempt - 1));
        await heartbeat();
      }
    }
  }

  /**
   * A dead-lettered message applied again at an operator's request, as the
   * consumer would apply it now: routed and validated the same way, then
   * given to its handler with its inbox record in one transaction (the
   * caller's, if there is one), so an event already applied is a duplicate
   * that changes nothing. No retries and no new dead letter: throws why it
   * still cannot be applied, awaiting its cause included.
   */
  async replay(
    message: IncomingMessage,
    handlerFor: (type: string) => EventHandler | undefined,
  ): Promise<'applied' | 'duplicate'> {
    const routed = this.route(message, handlerFor);
    if (routed.kind === 'ignore') throw new Error(`${routed.type} is not an event this service handles`);
    if (routed.kind === 'dead-letter') throw new Error(routed.reason);
    const [outcome] = await this.transact([routed]);
    this.logOutcome(routed.envelope, outcome);
    return outcome === 'applied' ? 'applied' : 'duplicate';
  }

  /** The messages this instance holds until their cause is applied, for health: where they are, what they wait for, for how long. */
  awaitingCause(): Array<{ position: string; awaits: string; waitingSeconds: number }> {
    return [...this.awaitingSince].map(([position, { since, awaited }]) => ({
      position,
      awaits: awaited,
      waitingSeconds: Math.round((Date.now() - since) / 1000),
    }));
  }

  /** After a rebalance: a partition moved to another instance waits there, not here (its wait starts over there). */
  keepAwaitingOnly(assignment: Record<string, number[]>): void {
    for (const [position, { topic, partition }] of this.awaitingSince) {
      if (!assignment[topic]?.includes(partition)) this.awaitingSince.delete(position);
    }
  }

  /**
   * The event stays unapplied, and its partition stops at it, until its cause
   * has been applied or it has waited `awaitCauseMs` since it was first
   * fetched; then it is dead-lettered with what it waited for.
   */
  private async awaitCause(
    message: IncomingMessage,
    envelope: EventEnvelope,
    error: AwaitingCause,
  ): Promise<ConsumeOutcome> {
    const position = positionOf(message);
    const deadLetter = (reason: string) =>
      runWithCorrelation(correlationOf(envelope), () => this.deadLetter(message, envelope, reason, 1));
    if (this.givenUp.has(error.awaited))
      return deadLetter(`${error.message}, which did not come for an earlier event either`);
    const since = this.awaitingSince.get(position)?.since ?? Date.now();
    const waitedMs = Date.now() - since;
    if (waitedMs >= this.options.consumer.awaitCauseMs) {
      this.giveUp(error.awaited);
      return deadLetter(`${error.message} (waited ${Math.round(waitedMs / 1000)} s)`);
    }
    if (!this.awaitingSince.has(position)) {
      this.awaitingSince.set(position, {
        since,
        awaited: error.awaited,
        topic: message.topic,
        partition: message.partition,
      });
      runWithCorrelation(correlationOf(envelope), () =>
        this.logger.warn(
          `${envelope.type} ${envelope.eventId} ${error.message}: ${message.topic}/${message.partition} stops at offset ${message.offset} until it is applied`,
        ),
      );
    }
    this.count(message, envelope.type, 'awaiting_cause');
    return 'awaiting_cause';
  }

  private giveUp(awaited: string): void {
    this.givenUp.add(awaited);
    // Bounded: the oldest are forgotten first (an event awaiting one of them then waits again).
    if (this.givenUp.size > MAX_GIVEN_UP) this.givenUp.delete(this.givenUp.values().next().value!);
  }

  private logOutcome(envelope: EventEnvelope, outcome: ConsumeOutcome): void {
    runWithCorrelation(correlationOf(envelope), () =>
      this.logger.log(
        `${outcome === 'applied' ? 'Applied' : 'Skipped duplicate'} ${envelope.type} ${envelope.eventId}`,
      ),
    );
  }

  /** The dead letter is written through the outbox, so it is published exactly when it is recorded. */
  private async deadLetter(
    message: IncomingMessage,
    envelope: EventEnvelope | undefined,
    error: string,
    attempts: number,
  ): Promise<ConsumeOutcome> {
    this.awaitingSince.delete(positionOf(message));
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
        headers: message.headers,
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
          originalHeaders: message.headers,
        },
        headers: { 'event-type': 'DeadLetter' },
      });
    });
    this.logger.error(
      `Dead-lettered ${message.topic}/${message.partition}@${message.offset} after ${attempts} attempt(s): ${error}`,
    );
    this.count(message, envelope?.type ?? 'unknown', 'dead_lettered');
    return 'dead_lettered';
  }

  private count(message: IncomingMessage, type: string, outcome: ConsumeOutcome): void {
    this.metrics.consumed.inc({ topic: message.topic, type, outcome });
  }
}

const BATCH_DEADLOCK_ATTEMPTS = 3;
const MAX_GIVEN_UP = 10_000;

function positionOf(message: IncomingMessage): string {
  return `${message.topic}/${message.partition}@${message.offset}`;
}

/** Deadlock or serialization failure: the transaction lost a race and may simply run again. */
function isTransientConflict(error: unknown): boolean {
  const code =
    (error as { code?: string; driverError?: { code?: string } }).code ??
    (error as { driverError?: { code?: string } }).driverError?.code;
  return code === '40P01' || code === '40001';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Consecutive events that go to the same `@OnEvent` method, in order. */
function runsOfOneHandler(items: Applicable[]): Applicable[][] {
  const runs: Applicable[][] = [];
  for (const item of items) {
    const last = runs[runs.length - 1];
    if (last && last[0].handler === item.handler) last.push(item);
    else runs.push([item]);
  }
  return runs;
}
