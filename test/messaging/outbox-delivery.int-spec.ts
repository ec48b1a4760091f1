import request from 'supertest';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import type { RunningService } from '@app/testing';
import { TestScope, testToken, waitFor } from '@app/testing';

// (a) An event written through the outbox by one service reaches a consumer in another.
describe('outbox delivery across services', () => {
  const scope = new TestScope('delivery');
  let issuance: RunningService;
  let funding: RunningService;

  beforeAll(async () => {
    [issuance, funding] = await Promise.all([scope.start(issuanceService), scope.start(fundingService)]);
  });
  afterAll(() => scope.close());

  it('an agency registered in issuance becomes known to funding, with the correlation id carried through', async () => {
    const operator = await testToken({ role: 'operator' });
    const response = await request(issuance.url)
      .post('/agencies')
      .set('Authorization', `Bearer ${operator}`)
      .set('X-Correlation-Id', 'journey-42')
      .send({ name: 'CCAS de Muret', kind: 'ccas', departement: '31', siret: '73282932000074' })
      .expect(201);
    expect(response.headers['x-correlation-id']).toBe('journey-42');

    const [known] = await waitFor('funding to learn the agency', async () => {
      const rows = await scope.sql('funding', 'SELECT id, name, departement FROM known_agencies WHERE id = $1', [
        response.body.id,
      ]);
      return rows.length > 0 && rows;
    });
    expect(known).toEqual({ id: response.body.id, name: 'CCAS de Muret', departement: '31' });

    const [outbox] = await scope.sql<{
      payload: { correlationId: string; producer: string; type: string };
      published_at: Date | null;
    }>('issuance', 'SELECT payload, published_at FROM outbox_messages');
    expect(outbox.payload).toMatchObject({
      type: 'AgencyRegistered',
      producer: 'issuance',
      correlationId: 'journey-42',
    });
    expect(outbox.published_at).not.toBeNull();
    const inbox = await scope.sql('funding', 'SELECT consumer, event_type FROM inbox_records');
    expect(inbox).toEqual([{ consumer: 'funding', event_type: 'AgencyRegistered' }]);
  });

  it('refuses an invalid body with field errors, and writes neither the agency nor an event', async () => {
    const operator = await testToken({ role: 'operator' });
    const response = await request(issuance.url)
      .post('/agencies')
      .set('Authorization', `Bearer ${operator}`)
      .send({ name: 'X', kind: 'bank', departement: '20', siret: '73282932000075', extra: true })
      .expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'departement',
      'extra',
      'kind',
      'name',
      'siret',
    ]);
    const [{ count }] = await scope.sql<{ count: string }>('issuance', 'SELECT count(*) FROM outbox_messages');
    expect(Number(count)).toBe(1);
  });

  it('answers /health with database, Kafka and outbox status on both services', async () => {
    for (const service of [issuance, funding]) {
      const health = await request(service.url).get('/health').expect(200);
      expect(health.body.status).toBe('ok');
      expect(Object.keys(health.body.info).sort()).toEqual(['consumer', 'database', 'kafka', 'outbox']);
    }
    const metrics = await request(funding.url).get('/metrics').expect(200);
    expect(metrics.text).toContain('events_consumed_total{topic=');
    expect(metrics.text).toContain('outbox_backlog');
    expect(metrics.text).toMatch(/kafka_consumer_lag\{topic="[a-z0-9.]+pass\.issuance\.events",service="funding"\} 0/);
  });
});
