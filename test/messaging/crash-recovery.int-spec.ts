import request from 'supertest';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { siretFor, spawnService, TestScope, testToken, waitFor } from '@app/testing';

// (c) A process killed after its database commit but before publishing still
// gets its events published after restart; killing a service loses no event.
describe('crash recovery', () => {
  const scope = new TestScope('crash');
  let operator: string;
  let seed = 0;

  const registerAgency = (url: string) =>
    request(url)
      .post('/agencies')
      .set('Authorization', `Bearer ${operator}`)
      .send({ name: `Agence ${++seed}`, kind: 'caf', departement: '2A', siret: siretFor(seed) });

  const count = async (service: string, sql: string) => Number((await scope.sql<{ n: string }>(service, sql))[0].n);

  beforeAll(async () => {
    operator = await testToken({ role: 'operator' });
    await scope.start(fundingService);
  });
  afterAll(() => scope.close());

  it('publishes after restart what a killed process had committed but not published', async () => {
    // This instance commits agencies and their events but never relays them.
    const doomed = await spawnService(scope, 'issuance', { OUTBOX_RELAY_ENABLED: 'false' });
    for (let i = 0; i < 10; i++) await registerAgency(doomed.url).expect(201);
    await doomed.kill();

    expect(await count('issuance', 'SELECT count(*) AS n FROM outbox_messages WHERE published_at IS NULL')).toBe(10);
    expect(await count('funding', 'SELECT count(*) AS n FROM known_agencies')).toBe(0);

    await scope.start(issuanceService); // the restart
    await waitFor(
      'funding to learn the 10 agencies',
      async () => (await count('funding', 'SELECT count(*) AS n FROM known_agencies')) === 10,
    );
    expect(await count('issuance', 'SELECT count(*) AS n FROM outbox_messages WHERE published_at IS NULL')).toBe(0);
  });

  it('stops gracefully on SIGTERM: what it committed is published before it exits', async () => {
    const before = await count('funding', 'SELECT count(*) AS n FROM known_agencies');
    // A long poll interval: only wake-ups and the drain at shutdown publish.
    const service = await spawnService(scope, 'issuance', { OUTBOX_POLL_INTERVAL_MS: '600000' });
    const burst = Array.from({ length: 20 }, () =>
      registerAgency(service.url).then(
        (r) => r.status,
        () => 0,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    const exitCode = await service.terminate();
    const statuses = await Promise.all(burst);
    expect([0, null]).toContain(exitCode);

    const committed = await count('issuance', 'SELECT count(*) AS n FROM agencies');
    expect(committed).toBeGreaterThanOrEqual(before + statuses.filter((s) => s === 201).length);
    expect(await count('issuance', 'SELECT count(*) AS n FROM outbox_messages WHERE published_at IS NULL')).toBe(0);
    await waitFor(
      'funding to learn every committed agency',
      async () => (await count('funding', 'SELECT count(*) AS n FROM known_agencies')) === committed,
    );
  });

  it('loses no event and applies none twice when a service is killed in the middle of a burst', async () => {
    const victim = await spawnService(scope, 'issuance');
    let answered = 0;
    const burst = Array.from(
      { length: 60 },
      () =>
        registerAgency(victim.url)
          .then((response) => {
            if (response.status === 201) answered++;
          })
          .catch(() => undefined), // requests cut by the kill
    );
    await waitFor('some requests to be answered', () => answered >= 15, { intervalMs: 5 });
    await victim.kill();
    await Promise.all(burst);

    const committed = await scope.sql<{ id: string }>('issuance', 'SELECT id FROM agencies ORDER BY id');
    expect(committed.length).toBeGreaterThanOrEqual(10 + answered);
    await waitFor('funding to learn every committed agency', async () => {
      const known = await count('funding', 'SELECT count(*) AS n FROM known_agencies');
      // Thrown, so that a timeout says how far funding got (waitFor reports the last error).
      if (known !== committed.length)
        throw new Error(`funding knows ${known} of the ${committed.length} committed agencies`);
      return true;
    });
    const known = await scope.sql<{ id: string }>('funding', 'SELECT id FROM known_agencies ORDER BY id');
    expect(known).toEqual(committed);
    expect(
      await count('funding', `SELECT count(*) AS n FROM inbox_records WHERE event_type = 'AgencyRegistered'`),
    ).toBe(committed.length);
  });
});
