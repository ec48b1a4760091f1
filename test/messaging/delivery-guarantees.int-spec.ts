import type { Registry } from 'prom-client';
import { deadLetterTopicOf, Topics } from '@app/contracts';
import { METRICS_REGISTRY } from '@app/observability';
import type { RunningService } from '@app/testing';
import {
  awaitingCauses,
  envelopeOf,
  produceRaw,
  produceTogether,
  publishTogether,
  readTopic,
  TestScope,
  waitFor,
} from '@app/testing';
import {
  AWAITS,
  batchSizes,
  CONFLICT_ONCE_STREAM,
  poisonAttempts,
  ProbeBatched,
  ProbeBatchedToo,
  ProbeProducer,
  probeConsumerService,
  ProbeRecorded,
  probeProducerService,
} from '../fixtures/probe.fixture';

const MAX_ATTEMPTS = 3;
// Long enough for the held event to outlast the steps before its cause comes, on a loaded machine too.
const AWAIT_CAUSE_MS = 8000;

describe('delivery guarantees on the real broker and database', () => {
  const scope = new TestScope('guarantees');
  let producer: RunningService;
  let consumer: RunningService;
  let topic: string;

  const applied = (stream: string) =>
    scope.sql<{ event_id: string; sequence: number }>(
      'reporting',
      'SELECT event_id, sequence FROM probe_applied WHERE stream = $1 ORDER BY id',
      [stream],
    );

  async function consumedCount(outcome: string): Promise<number> {
    const registry = consumer.app.get<Registry>(METRICS_REGISTRY);
    const metric = await registry.getSingleMetric('events_consumed_total')!.get();
    return metric.values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
  }

  beforeAll(async () => {
    producer = await scope.start(probeProducerService);
    consumer = await scope.start(probeConsumerService, {
      CONSUMER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      CONSUMER_AWAIT_CAUSE_MS: String(AWAIT_CAUSE_MS),
    });
    topic = `${producer.env.KAFKA_TOPIC_PREFIX}${Topics.issuance}`;
  });
  afterAll(() => scope.close());

  // (b)
  it('applies an event once although it is delivered three times', async () => {
    const event = await producer.app.get(ProbeProducer).record('dup');
    await waitFor('the first delivery', async () => (await applied('dup')).length === 1);
    const duplicatesBefore = await consumedCount('duplicate');

    // The relay crashed after sending but before marking: it publishes the row again.
    await scope.sql('issuance', 'UPDATE outbox_messages SET published_at = NULL WHERE event_id = $1', [event.eventId]);
    // And the broker hands the consumer a copy (e.g. after a rebalance before the offset commit).
    const [row] = await scope.sql<{ payload: object }>(
      'issuance',
      'SELECT payload FROM outbox_messages WHERE event_id = $1',
      [event.eventId],
    );
    await produceRaw(topic, 'dup', JSON.stringify(row.payload));

    await waitFor('both copies to be consumed', async () => (await consumedCount('duplicate')) - duplicatesBefore >= 2);
    expect(await applied('dup')).toEqual([{ event_id: event.eventId, sequence: 1 }]);
    const inbox = await scope.sql('reporting', 'SELECT event_id FROM inbox_records WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(inbox).toHaveLength(1);
  });

  // (d)
  it('dead-letters a message that always fails after bounded attempts, and the partition keeps flowing', async () => {
    const probes = producer.app.get(ProbeProducer);
    await probes.record('poison');
    const poison = await probes.record('poison', true);
    await waitFor('the poison to be relayed', async () => {
      const [row] = await scope.sql(
        'issuance',
        'SELECT 1 FROM outbox_messages WHERE event_id = $1 AND published_at IS NOT NULL',
        [poison.eventId],
      );
      return row !== undefined;
    });
    await produceRaw(topic, 'poison', '{not json'); // garbage on the same key, hence the same partition
    await probes.record('poison');
    await probes.record('poison');

    await waitFor('the messages after the poison to be applied', async () => (await applied('poison')).length === 3);
    expect((await applied('poison')).map((r) => r.sequence)).toEqual([1, 3, 4]);
    expect(poisonAttempts.get(poison.eventId)).toBe(MAX_ATTEMPTS);

    const letters = await scope.sql<{ event_id: string | null; error: string; attempts: number; raw_value: string }>(
      'reporting',
      'SELECT event_id, error, attempts, raw_value FROM dead_letters ORDER BY source_offset',
    );
    expect(letters).toEqual([
      {
        event_id: poison.eventId,
        error: 'poison probe',
        attempts: MAX_ATTEMPTS,
        raw_value: expect.stringContaining(poison.eventId),
      },
      { event_id: null, error: 'message value is not JSON', attempts: 1, raw_value: '{not json' },
    ]);

    const deadLetterTopic = `${consumer.env.KAFKA_TOPIC_PREFIX}${deadLetterTopicOf('reporting')}`;
    const published = (await readTopic(deadLetterTopic, (values) => values.length >= 2)).map((v) => JSON.parse(v));
    expect(published[0]).toMatchObject({
      consumer: 'reporting',
      eventId: poison.eventId,
      error: 'poison probe',
      attempts: MAX_ATTEMPTS,
    });
    expect(JSON.parse(published[0].originalValue)).toMatchObject({
      eventId: poison.eventId,
      payload: { poison: true },
    });
    expect(published[1]).toMatchObject({ originalValue: '{not json', error: 'message value is not JSON' });

    const health = (await fetch(`${consumer.url}/health`).then((r) => r.json())) as {
      info: { consumer: { deadLetters: number } };
    };
    expect(health.info.consumer.deadLetters).toBe(2);
  });

  describe('in batches', () => {
    const probe = (stream: string, sequence: number, poison = false) =>
      envelopeOf(ProbeRecorded, { stream, sequence, poison });
    const together = (envelopes: object[]) =>
      produceTogether(
        topic,
        envelopes.map((envelope) => ({ key: (envelope as { key: string }).key, value: JSON.stringify(envelope) })),
      );
    // Rows written by one transaction share its id (xmin).
    const transactionsOf = async (stream: string, where = 'true') =>
      (
        await scope.sql<{ n: number }>(
          'reporting',
          `SELECT count(DISTINCT xmin::text)::int AS n FROM probe_applied WHERE stream = $1 AND ${where}`,
          [stream],
        )
      )[0].n;

    it('applies messages fetched together in one transaction, a copy in the same batch only once', async () => {
      const events = [1, 2, 3, 4, 5].map((sequence) => probe('together', sequence));
      const duplicatesBefore = await consumedCount('duplicate');
      await together([...events, events[1]]);

      await waitFor('the batch to be applied', async () => (await applied('together')).length === 5);
      await waitFor('the copy to be counted', async () => (await consumedCount('duplicate')) - duplicatesBefore === 1);
      expect((await applied('together')).map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
      expect(await transactionsOf('together')).toBe(1);
    });

    it('tries a batch the database aborted as a deadlock victim again, whole', async () => {
      await together([1, 2, 3].map((sequence) => probe(CONFLICT_ONCE_STREAM, sequence)));

      await waitFor('the batch to be applied', async () => (await applied(CONFLICT_ONCE_STREAM)).length === 3);
      expect((await applied(CONFLICT_ONCE_STREAM)).map((r) => r.sequence)).toEqual([1, 2, 3]);
      expect(await transactionsOf(CONFLICT_ONCE_STREAM)).toBe(1);
    });

    it('commits the events before a poisoned one, dead-letters that one alone, and applies the events after it, in order', async () => {
      const events = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((sequence) => probe('mixed', sequence, sequence === 5));
      const poison = events[4];
      await together(events);

      await waitFor('the good messages to be applied', async () => (await applied('mixed')).length === 8);
      await waitFor(
        'the poison to be dead-lettered',
        async () =>
          (await scope.sql('reporting', 'SELECT 1 FROM dead_letters WHERE event_id = $1', [poison.eventId])).length ===
          1,
      );
      // Applied in partition order (row ids follow commit order), the poison alone left out.
      expect((await applied('mixed')).map((r) => r.sequence)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
      const [letter] = await scope.sql('reporting', 'SELECT error, attempts FROM dead_letters WHERE event_id = $1', [
        poison.eventId,
      ]);
      expect(letter).toEqual({ error: 'poison probe', attempts: MAX_ATTEMPTS });
      expect(poisonAttempts.get(poison.eventId)).toBe(MAX_ATTEMPTS);
      // Split in halves, not one by one: the four before it in two transactions, the four after it in one.
      expect(await transactionsOf('mixed', 'sequence < 5')).toBe(2);
      expect(await transactionsOf('mixed', 'sequence > 5')).toBe(1);
    });

    it('hands consecutive events of the types one method lists to it at once, in order, a copy only once', async () => {
      const events = [1, 2, 3, 4, 5].map((sequence) =>
        envelopeOf(sequence % 2 ? ProbeBatched : ProbeBatchedToo, { stream: 'batched', sequence, poison: false }),
      );
      const other = probe('batched', 6);
      const before = batchSizes.length;
      await together([...events, events[2], other]);

      await waitFor('the batch to be applied', async () => (await applied('batched')).length === 6);
      expect((await applied('batched')).map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(batchSizes.slice(before)).toEqual([5]);
      // The run of the other method's type goes to it in the same transaction.
      expect(await transactionsOf('batched')).toBe(1);
    });
  });

  it('holds an event whose cause is on another partition, its partition paused and the others flowing, until the cause is applied; dead-letters one whose cause never comes', async () => {
    const prefix = consumer.env.KAFKA_TOPIC_PREFIX!;
    const probe = (stream: string, sequence = 1) => envelopeOf(ProbeBatched, { stream, sequence, poison: false });
    const held = probe(`${AWAITS}cause`);
    const orphan = probe(`${AWAITS}never`);
    const secondOrphan = probe(`${AWAITS}never`, 2);
    const awaitingBefore = await consumedCount('awaiting_cause');
    // One batch: what comes before the effect is applied, what comes after it waits behind it.
    await publishTogether(prefix, [probe('before-held'), held, probe('after-held')], 0);
    await publishTogether(prefix, [orphan, secondOrphan], 2);
    const awaitingNow = () => awaitingCauses(consumer.url);
    const entry = await waitFor('the effect to be found waiting', async () =>
      (await awaitingNow()).find((e) => e.awaits === 'stream cause'),
    );
    expect(entry).toEqual({
      position: expect.stringMatching(/\.pass\.issuance\.events\/0@\d+$/),
      awaits: 'stream cause',
      waitingSeconds: expect.any(Number),
    });
    expect(await consumedCount('awaiting_cause')).toBeGreaterThan(awaitingBefore);
    await publishTogether(prefix, [probe('elsewhere')], 3);
    await waitFor('another partition to flow meanwhile', async () => (await applied('elsewhere')).length === 1);
    expect(await applied('before-held')).toHaveLength(1);
    expect(await applied(held.payload.stream)).toEqual([]);
    expect(await applied('after-held')).toEqual([]);

    await publishTogether(prefix, [probe('cause')], 1);
    await waitFor(
      'the effect and the one behind it to be applied',
      async () => (await applied('after-held')).length === 1,
    );
    const order = await scope.sql<{ stream: string }>(
      'reporting',
      `SELECT stream FROM probe_applied WHERE stream IN ('cause', $1, 'after-held') ORDER BY id`,
      [held.payload.stream],
    );
    expect(order.map((r) => r.stream)).toEqual(['cause', held.payload.stream, 'after-held']);

    const letter = await waitFor(
      'the orphan to be dead-lettered',
      async () => {
        const [row] = await scope.sql<{ error: string; attempts: number }>(
          'reporting',
          'SELECT error, attempts FROM dead_letters WHERE event_id = $1',
          [orphan.eventId],
        );
        return row;
      },
      { timeoutMs: AWAIT_CAUSE_MS + 15_000 },
    );
    expect(letter).toEqual({ error: expect.stringMatching(/^waits for stream never \(waited \d+ s\)$/), attempts: 1 });
    // The next event awaiting the same cause does not wait as long again.
    const second = await waitFor(
      'the second orphan to be dead-lettered',
      async () => {
        const [row] = await scope.sql<{ error: string }>(
          'reporting',
          'SELECT error FROM dead_letters WHERE event_id = $1',
          [secondOrphan.eventId],
        );
        return row;
      },
      { timeoutMs: 10_000 },
    );
    expect(second.error).toBe('waits for stream never, which did not come for an earlier event either');
    expect(await applied(orphan.payload.stream)).toEqual([]);
    expect(await awaitingNow()).toEqual([]);
  });

  // (e)
  it('keeps per-key order with concurrent writers and two relaying instances', async () => {
    const second = await scope.start(probeProducerService); // same database: two instances of one service
    const instances = [producer, second].map((s) => s.app.get(ProbeProducer));
    const streams = ['order-a', 'order-b', 'order-c', 'order-d', 'order-e', 'order-f'];
    const perStream = 25;
    const writes = streams.flatMap((stream) =>
      Array.from({ length: perStream }, (_, i) => ({ stream, instance: instances[i % 2] })),
    );
    await Promise.all(writes.map(({ stream, instance }) => instance.record(stream)));

    for (const stream of streams) {
      await waitFor(`all of ${stream}`, async () => (await applied(stream)).length === perStream);
      expect((await applied(stream)).map((r) => r.sequence)).toEqual(
        Array.from({ length: perStream }, (_, i) => i + 1),
      );
    }
    await scope.stop(second.app);
  });
});
