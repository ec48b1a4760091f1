import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { Infrastructure } from './infrastructure';

/** Removes what this run created (its databases and topics), then stops what it started. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.TEST_RUN_ID!;
  const client = new Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
    `%\\_${runId}\\_%`,
  ]);
  for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await client.end();

  const admin = new Kafka({ brokers: process.env.TEST_KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`${runId}.`));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 }).catch(() => undefined);
  await admin.disconnect();

  await (globalThis as { __infrastructure?: Infrastructure }).__infrastructure?.stop();
}
