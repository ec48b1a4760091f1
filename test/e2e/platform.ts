import request from 'supertest';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { reportingService } from '../../services/reporting/src/reporting.service-definition';
import type { RunningService, TestScope } from '@app/testing';
import { waitFor } from '@app/testing';

export const SERVICE_DEFINITIONS = {
  issuance: issuanceService,
  redemption: redemptionService,
  funding: fundingService,
  reporting: reportingService,
};
export type ServiceKey = keyof typeof SERVICE_DEFINITIONS;
export type Platform = Record<ServiceKey, RunningService>;

/** The four services, each with its database, on the scope's topics: the whole system in one process. */
export async function startPlatform(scope: TestScope, env: NodeJS.ProcessEnv = {}): Promise<Platform> {
  const entries = await Promise.all(
    (Object.keys(SERVICE_DEFINITIONS) as ServiceKey[]).map(
      async (key) => [key, await scope.start(SERVICE_DEFINITIONS[key], env)] as const,
    ),
  );
  return Object.fromEntries(entries) as Platform;
}

/** An HTTP client of one service acting with one token. */
export function as(service: RunningService, token: string) {
  const auth = (test: request.Test) => test.set('Authorization', `Bearer ${token}`);
  const agent = request(service.url);
  return {
    get: (path: string) => auth(agent.get(path)),
    post: (path: string, body?: object) => auth(agent.post(path)).send(body ?? {}),
    patch: (path: string, body?: object) => auth(agent.patch(path)).send(body ?? {}),
  };
}

/**
 * Until a service has applied everything its producers committed so far:
 * their outboxes are published, then its consumer lag is zero. Without the
 * first step an event committed a moment ago may not be on its topic yet.
 */
export async function caughtUp(service: RunningService, ...producers: RunningService[]): Promise<void> {
  for (const producer of producers) {
    await waitFor(
      `${nameOf(producer)} to publish its outbox`,
      async () => (await request(producer.url).get('/health')).body?.details?.outbox?.backlog === 0,
    );
  }
  await waitFor(`${nameOf(service)} to catch up`, async () => {
    const health = await request(service.url).get('/health');
    const lag = health.body?.info?.consumer?.lag as Record<string, number> | undefined;
    return lag !== undefined && Object.keys(lag).length > 0 && Object.values(lag).every((value) => value === 0);
  });
}

const nameOf = (service: RunningService) => service.env.DATABASE_URL?.split('/').pop();
