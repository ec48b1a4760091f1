import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Registry } from 'prom-client';
import type { EventEnvelope } from '@app/contracts';
import { AgencyRegistered } from '@app/contracts';
import { databaseNameOf, isDatabaseUnavailable } from '@app/database';
import { METRICS_REGISTRY } from '@app/observability';
import type { RunningService } from '@app/testing';
import { envelopeOf, publishEnvelopes, siretFor, TestScope, waitFor } from '@app/testing';
import { EventProcessor } from '../../libs/messaging/src/consuming/event-processor';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import { bearer, bookletIssued, FundingDriver, passEvent } from '../funding/funding-fixtures';

// The production retries: 5 attempts, 200 ms doubling, about 3 s in all.
const MAX_ATTEMPTS = 5;
const RETRY_DELAY_MS = 200;
// Longer than those retries: an outage counted as attempts would exhaust them.
const OUTAGE_MS = 7000;
const PASS_CENTS = 1000;
/** How the service's connection pool names itself (libs/database): the test's own observation pool is left alone. */
const SERVICE_APPLICATION_NAME = 'pass-numerique';

/**
 * Takes a database of this test run offline with PostgreSQL's own means, as
 * maintenance or a failover would: it refuses new connections ("not currently
 * accepting connections", SQLSTATE 55000) and the service's open ones are cut.
 * Run from a connection to another database (the server's maintenance one).
 */
class DatabaseSwitch {
  private offline = false;

  constructor(private readonly database: string) {
    // Never one of the development system's databases: only one this run created for itself.
    if (!database.includes(`_${process.env.TEST_RUN_ID}_`))
      throw new Error(`${database} is not a database of this run`);
  }

  async takeOffline(): Promise<number> {
    this.offline = true;
    return this.admin(async (client) => {
      await client.query(`ALTER DATABASE "${this.database}" WITH ALLOW_CONNECTIONS false`);
      // The victims are chosen first: a pg_terminate_backend(pid) filter on pg_stat_activity itself is pushed below
      // its join with pg_database, so it would terminate the backends of every database before datname is checked.
      const { rows } = await client.query<{ pid: number }>(
        `WITH victims AS MATERIALIZED (
           SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND pid <> pg_backend_pid())
         SELECT pid FROM victims WHERE pg_terminate_backend(pid)`,
        [this.database, SERVICE_APPLICATION_NAME],
      );
      return rows.length;
    });
  }

  /** Safe to call again, and in afterAll whatever happened. */
  async bringBack(): Promise<void> {
    if (!this.offline) return;
    await this.admin((client) => client.query(`ALTER DATABASE "${this.database}" WITH ALLOW_CONNECTIONS true`));
    this.offline = false;
  }

  private async admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: process.env.TEST_POSTGRES_URL });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}

// Regression: a database outage longer than the consumer's retries used to be
// counted as failed attempts of the events being applied; once they had run
// out, good events (money!) were dead-lettered as soon as the dead-letter
// write got through. Now no attempt is spent: the consumer waits for the database.
describe('a consumer whose database is unavailable for longer than its retries', () => {
  const scope = new TestScope('dboutage');
  let funding: RunningService;
  let driver: FundingDriver;
  let database: DatabaseSwitch;
  let programId: string;
  let agencyId: string;
  let booklet: ReturnType<typeof bookletIssued>['payload'];

  /** Sum of a counter over its series, read in-process (as delivery-guarantees does). */
  async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = await funding.app.get<Registry>(METRICS_REGISTRY).getSingleMetric(name)!.get();
    return metric.values
      .filter((v) => Object.entries(labels).every(([label, value]) => v.labels[label] === value))
      .reduce((sum, v) => sum + v.value, 0);
  }

  beforeAll(async () => {
    funding = await scope.start(fundingService, {
      CONSUMER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      CONSUMER_RETRY_DELAY_MS: String(RETRY_DELAY_MS),
    });
    database = new DatabaseSwitch(databaseNameOf(funding.env.DATABASE_URL!));
    driver = await FundingDriver.create(scope, funding);
    const funder = await driver.registerFunder('État', 'state');
    programId = (await driver.openProgram([{ funderId: funder, shareBasisPoints: 10_000 }], { budgetCents: 100_000 }))
      .id;
    agencyId = await driver.knownAgency();
    await driver.allocate(programId, agencyId, 30_000).expect(201);
    const issued = bookletIssued(programId, agencyId, 10, PASS_CENTS);
    booklet = issued.payload;
    await publishEnvelopes(funding.env.KAFKA_TOPIC_PREFIX!, [issued]);
    await driver.consumed([issued.eventId]);
  });
  afterAll(async () => {
    await database.bringBack();
    await scope.close();
  });

  it('applies every event published during the outage exactly once when the database is back, dead-letters none, and answers 503 meanwhile', async () => {
    const before = await driver.balances(programId);
    expect(before.totals).toMatchObject({ passes_outstanding: 10 * PASS_CENTS, site_payable: 0 });
    const failuresBefore = await counter('event_handler_failures_total');

    // Observed, not changed: each time the consumer met the outage (its batch is then tried again).
    const processor = funding.app.get(EventProcessor);
    const processBatch = processor.processBatch.bind(processor);
    let outageMet = 0;
    jest.spyOn(processor, 'processBatch').mockImplementation(async (...args) => {
      try {
        return await processBatch(...args);
      } catch (error) {
        if (isDatabaseUnavailable(error)) outageMet++;
        throw error;
      }
    });

    // Money events on the redemption topic and agencies on the issuance topic: two partitions' worth of work.
    const siteId = randomUUID();
    const agencies = [1, 2].map((n) =>
      envelopeOf(AgencyRegistered, {
        agencyId: randomUUID(),
        name: `Agence hors ligne ${n}`,
        kind: 'caf',
        departement: '31',
        siret: siretFor(90_000 + n),
      }),
    );
    const redemptions = [0, 1, 2, 3, 4, 5].map((index) => passEvent('redeemed', booklet, index, siteId));
    const events: EventEnvelope<object>[] = [...redemptions, ...agencies];

    const startedAt = Date.now();
    try {
      expect(await database.takeOffline()).toBeGreaterThan(0);
      await publishEnvelopes(funding.env.KAFKA_TOPIC_PREFIX!, events);

      // A request meanwhile: an outage, not a fault of the service nor of the request.
      const read = await driver
        .http()
        .get(`/programs/${programId}/balances`)
        .set('Authorization', bearer(driver.operator));
      expect({ status: read.status, code: read.body.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(read.headers['retry-after']).toBeDefined();
      const write = await driver.allocate(programId, agencyId, 10_000);
      expect({ status: write.status, code: write.body.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });

      await waitFor('the consumer to meet the outage', () => outageMet > 0, { timeoutMs: OUTAGE_MS });
      await new Promise((resolve) => setTimeout(resolve, startedAt + OUTAGE_MS - Date.now()));
    } finally {
      await database.bringBack();
    }

    await driver.consumed(events.map((e) => e.eventId));
    // No attempt was spent on the outage, so none could run out.
    expect(await counter('event_handler_failures_total')).toBe(failuresBefore);
    expect(await scope.sql('funding', 'SELECT event_id, error, attempts FROM dead_letters')).toEqual([]);
    expect(await counter('events_consumed_total', { outcome: 'dead_lettered' })).toBe(0);

    // Exactly once: one inbox record per event, and the effects of each once.
    const inbox = await scope.sql<{ id: string; n: number }>(
      'funding',
      'SELECT event_id::text AS id, count(*)::int AS n FROM inbox_records WHERE event_id::text = ANY($1) GROUP BY 1',
      [events.map((e) => e.eventId)],
    );
    expect(inbox.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      events.map((e) => ({ id: e.eventId, n: 1 })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    const after = await driver.balances(programId);
    expect(after.totals).toEqual({
      ...before.totals,
      passes_outstanding: before.totals.passes_outstanding - redemptions.length * PASS_CENTS,
      site_payable: redemptions.length * PASS_CENTS,
    });
    const known = await scope.sql<{ id: string }>('funding', 'SELECT id FROM known_agencies WHERE id = ANY($1)', [
      agencies.map((a) => a.payload.agencyId),
    ]);
    expect(known).toHaveLength(agencies.length);
    expect(await driver.reconciliation()).toEqual([]);
  });
});
