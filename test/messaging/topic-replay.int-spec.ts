import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@app/contracts';
import { AgencyRegistered, Topics } from '@app/contracts';
import type { MessagingOptions, PartitionOffsets, ReplayedEvent } from '@app/messaging';
import { TopicAdmin, TopicReplayer } from '@app/messaging';
import { consumerGroups, envelopeOf, produceRaw, publishTogether, siretFor } from '@app/testing';

// The replay a reporting rebuild reads the topics with: every valid event of a
// range once, each partition in offset order and one batch at a time, while the
// next fetch is decoded; a handler failure ends it only once nothing is still applying.
describe('topic replay', () => {
  const topicPrefix = `${process.env.TEST_RUN_ID}.replay.`;
  const options = {
    service: 'reporting',
    brokers: process.env.TEST_KAFKA_BROKERS!.split(','),
    topicPrefix,
  } as MessagingOptions;
  const replayer = new TopicReplayer(options);
  const admin = new TopicAdmin(options);
  let seed = 0;

  /** `padding` lengthens the correlation id: 200 events of 12 kB take a partition several fetches of 1 MB. */
  const agencies = (count: number, padding = 0): EventEnvelope<object>[] =>
    Array.from({ length: count }, () => {
      const agencyId = randomUUID();
      const payload = { agencyId, name: `Agence ${++seed}`, kind: 'caf', departement: '31', siret: siretFor(seed) };
      return envelopeOf(AgencyRegistered, payload, { correlationId: `${agencyId}${'.'.repeat(padding)}` });
    });
  const ends = async (): Promise<PartitionOffsets> =>
    (await replayer.endOffsets([Topics.issuance])).get(Topics.issuance)!;
  const published = agencies(600, 12_000);

  beforeAll(async () => {
    await admin.ensureTopics();
    // Three partitions get 200 events each; one message is not an event at all.
    for (let i = 0; i < published.length; i += 50)
      await publishTogether(topicPrefix, published.slice(i, i + 50), Math.floor(i / 200));
    await produceRaw(`${topicPrefix}${Topics.issuance}`, 'garbage', '{"not":"an event"');
  });
  afterAll(async () => {
    await replayer.settled();
    await admin.onApplicationShutdown();
  });

  it('hands every valid event of the range over once, each partition in offset order, never two of its batches at once, nor more batches at once than asked', async () => {
    const to = await ends();
    // Published after the end was captured: outside the range.
    await publishTogether(topicPrefix, agencies(5), 0);
    const seen = new Map<number, bigint[]>();
    const applying = new Set<number>();
    let overlaps = 0;
    let mostAtOnce = 0;
    const outcome = await replayer.replayBatches(
      Topics.issuance,
      to,
      async (events: ReplayedEvent[]) => {
        const { partition } = events[0].message;
        if (applying.has(partition)) overlaps++;
        applying.add(partition);
        mostAtOnce = Math.max(mostAtOnce, applying.size);
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (const { message } of events) seen.set(partition, [...(seen.get(partition) ?? []), BigInt(message.offset)]);
        applying.delete(partition);
      },
      new Map(),
      2,
      50,
    );

    expect(outcome).toEqual({ handled: 600, invalid: 1 });
    expect(overlaps).toBe(0);
    // Each batch holds a database connection: no more at once than asked for, though three partitions have some.
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    for (const [partition, offsets] of seen) {
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(offsets).size).toBe(offsets.length);
      expect(offsets.every((offset) => offset < to.get(partition)!)).toBe(true);
    }
    expect([...seen.values()].flat()).toHaveLength(600);
  });

  it('leaves the broker none of its consumer groups once its consumers have left, which they do after it resolved', async () => {
    const outcome = await replayer.replayBatches(Topics.issuance, await ends(), async () => undefined);
    expect(outcome.handled).toBeGreaterThan(0);
    await replayer.settled();
    expect(await consumerGroups(`${topicPrefix}reporting-replay-`)).toEqual([]);
  });

  it('starts where it is told to, and ends with the failure of a batch once no other batch is still being applied', async () => {
    const from = await ends();
    const later = agencies(30);
    await publishTogether(topicPrefix, later, 1);
    await publishTogether(topicPrefix, agencies(30), 2);
    const to = await ends();

    const fromOnward: string[] = [];
    const outcome = await replayer.replayBatches(
      Topics.issuance,
      to,
      async (events) => void fromOnward.push(...events.map((e) => e.envelope.eventId)),
      from,
      3,
      10,
    );
    expect(outcome).toEqual({ handled: 60, invalid: 0 });
    expect(fromOnward).toEqual(expect.arrayContaining(later.map((e) => e.eventId)));

    // Each partition's part of the range is one fetch, so nothing else waits for partition 2's batch.
    let running = 0;
    let runningAtEnd = -1;
    const failing = replayer.replayBatches(
      Topics.issuance,
      to,
      async (events) => {
        running++;
        try {
          // Partition 1's first batch fails while partition 2 is in the middle of its own.
          const fails = events.some((e) => e.envelope.eventId === later[0].eventId);
          await new Promise((resolve) => setTimeout(resolve, fails ? 50 : 1000));
          if (fails) throw new Error('refused by the handler');
        } finally {
          running--;
        }
      },
      from,
      3,
      10,
    );
    await expect(failing.finally(() => (runningAtEnd = running))).rejects.toThrow('refused by the handler');
    expect(runningAtEnd).toBe(0);
  });
});
