import { randomBytes } from 'node:crypto';
import { provideInfrastructure } from './infrastructure';

/**
 * Runs once per `jest` run. Every run gets its own id, which prefixes its
 * databases, topics and consumer groups, so runs never see each other's data.
 */
export default async function globalSetup(): Promise<void> {
  const infrastructure = await provideInfrastructure();
  const runId = `t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  process.env.TEST_RUN_ID = runId;
  process.env.TEST_KAFKA_BROKERS = infrastructure.brokers;
  process.env.TEST_POSTGRES_URL = infrastructure.postgresUrl;
  (globalThis as { __infrastructure?: typeof infrastructure }).__infrastructure = infrastructure;
}
