import { Kafka, logLevel } from 'kafkajs';

function kafka(): Kafka {
  return new Kafka({
    clientId: 'test-tools',
    brokers: process.env.TEST_KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** Writes a message straight to a topic, bypassing the outbox: how tests forge duplicates and garbage. */
export async function produceRaw(
  topic: string,
  key: string,
  value: string,
  headers?: Record<string, string>,
): Promise<void> {
  await produceMany([{ topic, key, value, headers }]);
}

/** Writes messages in order (one at a time, so their order holds across partitions too). */
export async function produceMany(
  messages: Array<{ topic: string; key: string; value: string; headers?: Record<string, string> }>,
): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const { topic, key, value, headers } of messages)
      await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Writes messages of one topic in a single request: a consumer then fetches
 * those of a partition together, as one batch. A message may name its
 * partition, as a producer is free to, to put different keys in one batch.
 */
export async function produceTogether(
  topic: string,
  messages: Array<{ key: string; value: string; partition?: number }>,
): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic from the beginning until `done` holds for what was read, or the timeout. */
export async function readTopic(
  topic: string,
  done: (values: string[]) => boolean,
  timeoutMs = 30_000,
): Promise<string[]> {
  const consumer = kafka().consumer({ groupId: `test-reader-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Timed out reading ${topic}: ${values.length} message(s) read`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (done(values)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

/** The ids of the consumer groups the broker knows whose id starts with `prefix`. */
export async function consumerGroups(prefix: string): Promise<string[]> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    return groups.map((group) => group.groupId).filter((id) => id.startsWith(prefix));
  } finally {
    await admin.disconnect();
  }
}
