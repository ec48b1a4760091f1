import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { BookletIssuedV1, EventEnvelope } from '@app/contracts';
import { BookletIssued, checkEvent, VoucherRedeemed } from '@app/contracts';
import { TransactionHost } from '@app/database';
import type { RunningService } from '@app/testing';
import { envelopeOf, metricValue, publishEnvelopes, TestScope, testToken, waitFor } from '@app/testing';
import { GenerationRepository } from '../../services/reporting/src/projection/generation.repository';
import type { PositionedEvent } from '../../services/reporting/src/projection/projection.service';
import { ProjectionService } from '../../services/reporting/src/projection/projection.service';
import { reportingService } from '../../services/reporting/src/reporting.service-definition';
import { RebuildsService } from '../../services/reporting/src/rebuilds/rebuilds.service';
import { seededRandom } from '@app/testing';
import { ReportingScenario } from './reporting-scenario';

const TABLES = [
  'events',
  'funders',
  'programs',
  'funding_lines',
  'agencies',
  'sites',
  'allocations',
  'booklets',
  'passes',
  'settlement_statements',
];

describe('reporting read models, audit trail, exports and rebuild', () => {
  const scope = new TestScope('reporting');
  const seed = Number(process.env.REPORTING_SEED ?? Date.now() % 100_000);
  const scenario = new ReportingScenario(seededRandom(seed));
  let reporting: RunningService;
  let prefix: string;
  let operator: string;
  const poisonId = randomUUID();
  const orphanId = randomUUID();
  const secondOrphanId = randomUUID();

  const get = async (path: string, token = operator, status = 200) =>
    (await request(reporting.url).get(path).set('Authorization', `Bearer ${token}`).expect(status)).body;

  /** Every event went through the inbox (applied) or was dead-lettered. */
  async function consumed(events: EventEnvelope<object>[]): Promise<void> {
    const ids = events.map((e) => e.eventId);
    await waitFor(
      `${ids.length} event(s) to be consumed`,
      async () => {
        const [row] = await scope.sql<{ n: number }>(
          'reporting',
          `SELECT count(*)::int AS n FROM (SELECT event_id::text FROM inbox_records WHERE event_id::text = ANY($1)
                                            UNION SELECT event_id FROM dead_letters WHERE event_id = ANY($1)) seen`,
          [ids],
        );
        return row.n === ids.length;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  }

  async function play(events: EventEnvelope<object>[]): Promise<void> {
    await publishEnvelopes(prefix, events);
    await consumed(events);
  }

  async function rebuild(): Promise<{
    id: string;
    generation: number;
    status: string;
    replayedEvents: number;
    invalidEvents: number;
  }> {
    const started = (
      await request(reporting.url).post('/rebuilds').set('Authorization', `Bearer ${operator}`).expect(202)
    ).body;
    return waitFor(
      'the rebuild to finish',
      async () => {
        const state = await get(`/rebuilds/${started.id}`);
        return state.status === 'running' ? undefined : state;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  }

  async function rows(generation: number): Promise<Record<string, unknown[]>> {
    const all: Record<string, unknown[]> = {};
    for (const table of TABLES)
      all[table] = await scope.sql('reporting', `SELECT * FROM reporting_g${generation}.${table} t ORDER BY t::text`);
    return all;
  }

  /** A generation's tables as the catalog describes them, with its schema name left out: persistence, indexes, constraints. */
  async function definition(generation: number): Promise<string[]> {
    const schema = `reporting_g${generation}`;
    const rows = await scope.sql<{ line: string }>(
      'reporting',
      `SELECT format('table %s %s', c.relname, c.relpersistence) AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'
       UNION ALL SELECT format('index %s', pg_get_indexdef(i.indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
       UNION ALL SELECT format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1`,
      [schema],
    );
    return rows.map((r) => r.line.split(`${schema}.`).join('')).sort();
  }

  beforeAll(async () => {
    console.log(`reporting scenario seed ${seed} (REPORTING_SEED=${seed} replays it)`);
    reporting = await scope.start(reportingService, {
      CONSUMER_MAX_ATTEMPTS: '3',
      CONSUMER_AWAIT_CAUSE_MS: '15000',
      DATABASE_POOL_SIZE: '10',
      REPORTING_EXPORT_PAGE_SIZE: '100',
    });
    prefix = reporting.env.KAFKA_TOPIC_PREFIX!;
    operator = await testToken({ role: 'operator' });
    scenario.setUp();
    const booklets = [
      ...scenario.issueBooklets(scenario.programs.coFunded, 220),
      ...scenario.issueBooklets(scenario.programs.single, 30),
    ];
    scenario.settle(booklets);
    scenario.settleSites();
    // Effects fetched before their causes, as when catching up after an outage: the pass outcomes wait for their booklets,
    // which wait for their programs, each partition paused at its first waiting event while the others go on.
    const waiting = (type: string) => async () =>
      (await metricValue(reporting.url, 'events_consumed_total', { type, outcome: 'awaiting_cause' })) > 0;
    await publishEnvelopes(prefix, scenario.issuance);
    await waitFor('a booklet to wait for its program', waiting(BookletIssued.type), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    await publishEnvelopes(prefix, scenario.redemption);
    await waitFor('a redemption to wait for its booklet', waiting(VoucherRedeemed.type), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    await play(scenario.funding);
    await consumed([...scenario.issuance, ...scenario.redemption]);
    const [known] = scenario.issuance.filter((e) => e.type === BookletIssued.type) as EventEnvelope<BookletIssuedV1>[];
    const redeemed = (bookletId: string, eventId: string) =>
      envelopeOf(
        VoucherRedeemed,
        {
          redemptionId: randomUUID(),
          passId: randomUUID(),
          bookletId,
          programId: scenario.programs.coFunded,
          agencyId: scenario.agencies[0].id,
          siteId: scenario.sites[0].id,
          amountCents: 1000,
          redeemedAt: new Date().toISOString(),
          redeemedBy: 'staff',
        },
        { eventId },
      );
    // A pass its known booklet does not hold, and two of a booklet nobody issued: dead-lettered (the first after waiting for it,
    // the second at once), never silently dropped.
    const nobodysBooklet = randomUUID();
    await play([
      redeemed(known.payload.bookletId, poisonId),
      redeemed(nobodysBooklet, orphanId),
      redeemed(nobodysBooklet, secondOrphanId),
    ]);
    // Delivered twice (a producer retry, a replayed partition): applied once.
    await publishEnvelopes(
      prefix,
      scenario.redemption.filter((_, i) => i % 50 === 0),
    );
    // Their ids are already in the inbox: wait until the consumer has read past them.
    await waitFor(
      'the consumer lag to be 0',
      async () => {
        const { lagByTopic } = (await get('/programs')).freshness;
        return lagByTopic !== null && Object.values(lagByTopic).every((lag) => lag === 0);
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // Only those two: anything else dead-lettered would make every total below wrong, with this as the reason.
    const dead = await scope.sql<{ event_id: string; error: string }>(
      'reporting',
      'SELECT event_id, error FROM dead_letters',
    );
    const expectedDead: string[] = [poisonId, orphanId, secondOrphanId];
    expect(dead.filter((d) => !expectedDead.includes(d.event_id))).toEqual([]);
    console.log(`reporting scenario: ${scenario.allEventIds().length + 3} events`);
  }, 300_000);
  afterAll(() => scope.close());

  it('shows, once caught up, exactly the totals of the model for each program', async () => {
    for (const programId of Object.values(scenario.programs)) {
      const summary = await get(`/programs/${programId}/summary`);
      const expected = scenario.totals((b) => b.programId === programId);
      expect(summary).toMatchObject({ ...expected, allocatedCents: scenario.allocatedTo(programId) });
      expect(summary.redemptionRate).toBeCloseTo(expected.passesRedeemed / expected.passesIssued, 4);
      expect(summary.freshness.lastEventAt).toEqual(expect.any(String));
      expect(Object.keys(summary.freshness.lagByTopic).sort()).toEqual([
        `${prefix}pass.funding.events`,
        `${prefix}pass.issuance.events`,
        `${prefix}pass.redemption.events`,
      ]);
    }
    const coFunded = await get(`/programs/${scenario.programs.coFunded}/summary`);
    expect(coFunded.budgetCents).toBe(6_000_001);
    // 10 € split 3334/3333/3333 pass by pass: 3,34 € + 3,33 € + 3,33 €, as the ledger does.
    expect(coFunded.fundingLines.map((l: { redeemedCents: number }) => l.redeemedCents)).toEqual(
      [334, 333, 333].map((c) => c * coFunded.passesRedeemed),
    );
    expect(coFunded.fundingLines.reduce((sum: number, l: { budgetCents: number }) => sum + l.budgetCents, 0)).toBe(
      6_000_001,
    );
    expect(
      coFunded.fundingLines.reduce((sum: number, l: { allocatedCents: number }) => sum + l.allocatedCents, 0),
    ).toBe(coFunded.allocatedCents);
    const [dead] = await scope.sql<{ error: string }>(
      'reporting',
      'SELECT error FROM dead_letters WHERE event_id = $1',
      [poisonId],
    );
    expect(dead.error).toMatch(/: unknown pass [0-9a-f-]{36}$/);
    const errorOf = async (eventId: string) =>
      (
        await scope.sql<{ error: string }>('reporting', 'SELECT error FROM dead_letters WHERE event_id = $1', [eventId])
      )[0].error;
    expect(await errorOf(orphanId)).toMatch(/^pass [0-9a-f-]{36} waits for booklet [0-9a-f-]{36} \(waited \d+ s\)$/);
    expect(await errorOf(secondOrphanId)).toMatch(
      /^pass [0-9a-f-]{36} waits for booklet [0-9a-f-]{36}, which did not come for an earlier event either$/,
    );
    const single = await get(`/programs/${scenario.programs.single}/summary`);
    expect(single.fundingLines).toEqual([
      expect.objectContaining({
        funderId: scenario.funders.d,
        budgetCents: 1_000_000,
        creditedCents: 1234,
        funderName: 'Financeur D',
      }),
    ]);
  });

  it('breaks the totals down per agency, site, département and Paris day', async () => {
    const programId = scenario.programs.coFunded;
    const byAgency = (await get(`/programs/${programId}/by-agency`)).items;
    for (const agency of scenario.agencies) {
      const row = byAgency.find((a: { agencyId: string }) => a.agencyId === agency.id);
      expect(row).toMatchObject({
        departement: agency.departement,
        allocatedCents: 600_000,
        ...scenario.totals((b) => b.programId === programId && b.agencyId === agency.id),
      });
    }
    const bySite = (await get(`/programs/${programId}/by-site`)).items;
    const expectedSites = scenario.redeemedBySite(programId);
    expect(bySite).toHaveLength(expectedSites.size);
    for (const site of bySite) {
      expect({ passes: site.passesRedeemed, cents: site.redeemedCents }).toEqual(expectedSites.get(site.siteId));
    }
    const [paid, , held] = scenario.sites.map(
      (s) => bySite.find((row: { siteId: string }) => row.siteId === s.id)?.settlement,
    );
    expect(paid).toMatchObject({
      statements: 1,
      statementCents: 5000,
      paidCents: 5000,
      awaitingPaymentCents: 0,
      averagePaymentDelayDays: 10.5,
      maxPaymentDelayDays: 10.5,
      oldestUnpaidDays: null,
    });
    expect(held).toMatchObject({
      statements: 1,
      heldStatements: 1,
      statementCents: 15_000,
      paidCents: 0,
      averagePaymentDelayDays: null,
    });
    const byDepartement = (await get(`/programs/${programId}/by-departement`)).items;
    for (const departement of ['31', '09', '32']) {
      const row = byDepartement.find((d: { departement: string }) => d.departement === departement);
      const agencies = scenario.agencies.filter((a) => a.departement === departement).map((a) => a.id);
      expect(row.issuedByAgencies).toMatchObject(
        scenario.totals((b) => b.programId === programId && agencies.includes(b.agencyId)),
      );
      const sites = scenario.sites.filter((s) => s.departement === departement).map((s) => s.id);
      const redeemed = [...expectedSites]
        .filter(([id]) => sites.includes(id))
        .reduce((sum, [, v]) => ({ passes: sum.passes + v.passes, cents: sum.cents + v.cents }), {
          passes: 0,
          cents: 0,
        });
      expect(row.redeemedAtSites).toEqual(redeemed);
    }
    const byDay = (await get(`/programs/${programId}/by-day`)).items;
    const expectedDays = scenario.byDay(programId);
    expect(byDay.map((d: { day: string }) => d.day)).toEqual([...expectedDays.keys()].sort());
    for (const day of byDay) expect(day).toMatchObject(expectedDays.get(day.day)!);
  });

  it('never shows a beneficiary count under 5, nor a lone suppressed cell', async () => {
    const profiles = await get(`/programs/${scenario.programs.coFunded}/profiles`);
    const counts = new Map<string, number>();
    for (const profile of scenario.beneficiaries.values()) {
      for (const [dimension, category] of Object.entries(profile))
        counts.set(`${dimension}/${category}`, (counts.get(`${dimension}/${category}`) ?? 0) + 1);
    }
    let suppressed = 0;
    for (const dimension of ['ageBand', 'situation', 'diagnosticLevel']) {
      const { total, cells } = profiles[dimension];
      expect(total).toBe(scenario.beneficiaries.size);
      const hidden = Object.entries(cells).filter(([, v]) => v === '< 5');
      expect(hidden.length === 1).toBe(false);
      for (const [category, value] of Object.entries(cells)) {
        const actual = counts.get(`${dimension}/${category}`) ?? 0;
        if (actual < 5) expect(value).toBe('< 5');
        if (value !== '< 5') expect(value).toBe(actual);
        if (value === '< 5') suppressed++;
      }
    }
    // 75_plus (1 %) and partial_autonomy (1 %) are rare by construction: something was suppressed.
    expect(suppressed).toBeGreaterThan(0);
  });

  it('shows a funder only the programs it funds, and refuses other roles', async () => {
    const funderD = await testToken({ role: 'funder', org: scenario.funders.d });
    expect((await get('/programs', funderD)).items.map((p: { programId: string }) => p.programId)).toEqual([
      scenario.programs.single,
    ]);
    const refused = await get(`/programs/${scenario.programs.coFunded}/summary`, funderD, 403);
    expect(refused.code).toBe('PROGRAM_NOT_FUNDED_BY_CALLER');
    await get(`/programs/${scenario.programs.coFunded}/by-site`, funderD, 403);
    await request(reporting.url)
      .get(`/exports/redemptions.csv?programId=${scenario.programs.coFunded}`)
      .set('Authorization', `Bearer ${funderD}`)
      .expect(403);
    await get(`/audit/booklets/${scenario.auditedPass!.bookletId}`, funderD, 403);
    const funderB = await testToken({ role: 'funder', org: scenario.funders.b });
    expect((await get(`/programs/${scenario.programs.coFunded}/summary`, funderB)).passesIssued).toBeGreaterThan(0);
    expect((await get('/programs', await testToken({ role: 'funder', org: scenario.funders.e }))).items).toEqual([]);
    await get('/programs', await testToken({ role: 'counselor', org: scenario.agencies[0].id }), 403);
    await get('/programs', await testToken({ role: 'site', org: scenario.sites[0].id }), 403);
  });

  it('exports the redemptions and the aggregates as French CSV', async () => {
    const programId = scenario.programs.coFunded;
    const response = await request(reporting.url)
      .get(`/exports/redemptions.csv?programId=${programId}`)
      .set('Authorization', `Bearer ${operator}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
      })
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const text = response.body as string;
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      "Date de validation;Identifiant du pass;Identifiant du carnet;Programme;Agence;Département de l'agence;Identifiant du site;Site;Département du site;Montant (€)",
    );
    expect(lines).toHaveLength(1 + scenario.totals((b) => b.programId === programId).passesRedeemed);
    expect(lines[1].split(';')).toHaveLength(10);
    expect(lines[1].endsWith(';10,00')).toBe(true);
    // Keyset pages of 100 rows: none repeated, none missed.
    expect(new Set(lines.slice(1).map((l) => l.split(';')[1])).size).toBe(lines.length - 1);

    const aggregates = (
      await request(reporting.url)
        .get(`/exports/programs/${programId}/aggregates.csv`)
        .set('Authorization', `Bearer ${operator}`)
        .expect(200)
    ).text;
    const [header, programme] = aggregates.replace('\uFEFF', '').split('\r\n');
    expect(header.split(';')).toEqual(
      expect.arrayContaining([
        'Dimension',
        'Carnets entamés',
        'Pass validés',
        'Montant validé (€)',
        'Taux de validation',
      ]),
    );
    const totals = scenario.totals((b) => b.programId === programId);
    expect(programme.split(';').slice(0, 1)).toEqual(['programme']);
    expect(programme).toContain(`;${totals.passesRedeemed};`);
    expect(programme).toContain(`;${Math.trunc(totals.redeemedCents / 100)},00;`);
  });

  it('gives the audit trail of a pass and of a booklet, in order, without personal data', async () => {
    const { passId, bookletId } = scenario.auditedPass!;
    const trail = await get(`/audit/passes/${passId}`);
    expect(trail.events.slice(0, 4).map((e: { type: string }) => e.type)).toEqual([
      'BookletIssued',
      'VoucherRedeemed',
      'RedemptionCancelled',
      'VoucherRedeemed',
    ]);
    expect(trail.events[0]).toMatchObject({ producer: 'issuance', actingOrganisation: { kind: 'agency' } });
    expect(trail.events[1]).toMatchObject({
      producer: 'redemption',
      actingOrganisation: { kind: 'site', id: expect.any(String) },
      eventId: expect.any(String),
      occurredAt: expect.any(String),
    });
    const booklet = await get(`/audit/booklets/${bookletId}`);
    expect(booklet.events.length).toBeGreaterThanOrEqual(trail.events.length);
    const issued = scenario.issuance.find((e) => (e.payload as { bookletId?: string }).bookletId === bookletId)!;
    const ref = (issued.payload as { beneficiary: { beneficiaryRef: string } }).beneficiary.beneficiaryRef;
    expect(JSON.stringify([trail, booklet])).not.toContain(ref);
    expect(JSON.stringify([trail, booklet])).not.toMatch(/codeHash|beneficiary/i);
    await get(`/audit/passes/${randomUUID()}`, operator, 404);
  });

  it('rebuilds from the topics into a new generation equal, row for row, to the incremental one', async () => {
    const before = await rows(1);
    const done = await rebuild();
    expect(done).toMatchObject({ generation: 2, status: 'completed', invalidEvents: 3 });
    expect(done.replayedEvents).toBe(
      scenario.allEventIds().length + 3 + scenario.redemption.filter((_, i) => i % 50 === 0).length,
    );
    const [state] = await scope.sql<{ active_generation: number }>(
      'reporting',
      'SELECT active_generation FROM reporting_state',
    );
    expect(state.active_generation).toBe(2);
    const after = await rows(2);
    for (const table of TABLES) expect({ table, rows: after[table] }).toEqual({ table, rows: before[table] });
    // Filled in bulk, then finished: logged tables with every index and constraint of a generation made as such.
    const made = await definition(1);
    expect(made.filter((line) => line.startsWith('index')).length).toBeGreaterThan(TABLES.length);
    expect(made).toContain('table passes p');
    expect(await definition(2)).toEqual(made);
    expect(await scope.sql('reporting', 'SELECT * FROM reporting_deferred_ddl')).toEqual([]);
    expect(before.passes.length).toBe(scenario.totals(() => true).passesIssued);
  });

  it('rebuilds while events keep coming, switching without losing or doubling any', async () => {
    const logBefore = scenario.allEventIds().length + 3 + scenario.redemption.filter((_, i) => i % 50 === 0).length;
    const issuanceBefore = scenario.issuance.length;
    const redemptionBefore = scenario.redemption.length;
    scenario.settle(scenario.issueBooklets(scenario.programs.coFunded, 60));
    const started = (
      await request(reporting.url).post('/rebuilds').set('Authorization', `Bearer ${operator}`).expect(202)
    ).body;
    await request(reporting.url).post('/rebuilds').set('Authorization', `Bearer ${operator}`).expect(409);
    await play(scenario.issuance.slice(issuanceBefore));
    await play(scenario.redemption.slice(redemptionBefore));
    const done = await waitFor(
      'the rebuild to finish',
      async () => {
        const state = await get(`/rebuilds/${started.id}`);
        return state.status === 'running' ? undefined : state;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(done.status).toBe('completed');
    // Its catch-up rounds replayed events published while it ran (the live consumer applied them to the old generation too).
    expect(done.replayedEvents).toBeGreaterThan(logBefore);
    for (const programId of Object.values(scenario.programs)) {
      expect(await get(`/programs/${programId}/summary`)).toMatchObject(
        scenario.totals((b) => b.programId === programId),
      );
    }
    // A quiet rebuild of the same log gives the same rows as the one that raced with live events.
    const raced = await rows(done.generation);
    const quiet = await rebuild();
    expect(quiet.status).toBe('completed');
    const replayed = await rows(quiet.generation);
    for (const table of TABLES) expect({ table, rows: replayed[table] }).toEqual({ table, rows: raced[table] });
    // Older generations are dropped; the one just replaced is kept for reads still running on it.
    const schemas = await scope.sql<{ nspname: string }>(
      'reporting',
      `SELECT nspname FROM pg_namespace WHERE nspname ~ '^reporting_g' ORDER BY 1`,
    );
    expect(schemas.map((s) => s.nspname)).toEqual([`reporting_g${done.generation}`, `reporting_g${quiet.generation}`]);
  });

  it('takes a rebuild whose instance stopped for dead once its lease ran out, keeping what it had switched to', async () => {
    const crashed = randomUUID();
    const schemas = async () =>
      (
        await scope.sql<{ nspname: string }>(
          'reporting',
          `SELECT nspname FROM pg_namespace WHERE nspname ~ '^reporting_g'`,
        )
      ).map((s) => s.nspname);
    // Died before its switch: a half-built generation, and a heartbeat older than the lease.
    await scope.sql('reporting', 'SELECT reporting_create_generation(70)');
    await scope.sql(
      'reporting',
      `INSERT INTO rebuilds (id, generation, status, requested_by, heartbeat_at) VALUES ($1, 70, 'running', 'crashed', now() - interval '61 seconds')`,
      [crashed],
    );
    const next = await rebuild();
    expect(next).toMatchObject({ generation: 71, status: 'completed' });
    expect(await get(`/rebuilds/${crashed}`)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^abandoned: no heartbeat since \S+Z \(its instance stopped\)$/),
    });
    expect(await schemas()).not.toContain('reporting_g70');

    // Alive (a recent heartbeat): still the one running.
    await scope.sql(
      'reporting',
      `UPDATE rebuilds SET status = 'running', finished_at = NULL, heartbeat_at = now() - interval '30 seconds' WHERE id = $1`,
      [crashed],
    );
    await request(reporting.url).post('/rebuilds').set('Authorization', `Bearer ${operator}`).expect(409);
    await scope.sql('reporting', `UPDATE rebuilds SET status = 'failed', finished_at = now() WHERE id = $1`, [crashed]);

    // Died after its switch but before recording it: its generation is the active one, kept, and the rebuild completed.
    await scope.sql(
      'reporting',
      `UPDATE rebuilds SET status = 'running', finished_at = NULL, heartbeat_at = now() - interval '61 seconds' WHERE id = $1`,
      [next.id],
    );
    const after = await rebuild();
    expect(after).toMatchObject({ generation: 72, status: 'completed' });
    expect(await get(`/rebuilds/${next.id}`)).toMatchObject({ status: 'completed', error: null });
    expect(await schemas()).toEqual(expect.arrayContaining(['reporting_g71', 'reporting_g72']));
  });

  it('never drops the generation it switched to when winding up the rebuild fails afterwards', async () => {
    // The database refuses to record any rebuild as completed: a fault after the switch, injected where it happens.
    await scope.sql(
      'reporting',
      `CREATE FUNCTION refuse_completion() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.status = 'completed' THEN RAISE EXCEPTION 'recording refused by the test'; END IF; RETURN NEW; END $$`,
    );
    await scope.sql(
      'reporting',
      'CREATE TRIGGER refuse_completion BEFORE UPDATE ON rebuilds FOR EACH ROW EXECUTE FUNCTION refuse_completion()',
    );
    const started = (
      await request(reporting.url).post('/rebuilds').set('Authorization', `Bearer ${operator}`).expect(202)
    ).body;
    try {
      await waitFor(
        'the switch',
        async () =>
          (await scope.sql<{ n: number }>('reporting', 'SELECT active_generation AS n FROM reporting_state'))[0].n ===
          started.generation,
        {
          timeoutMs: 120_000,
          intervalMs: 250,
        },
      );
      await reporting.app.get(RebuildsService).whenIdle();
    } finally {
      await scope.sql('reporting', 'DROP TRIGGER refuse_completion ON rebuilds');
      await scope.sql('reporting', 'DROP FUNCTION refuse_completion()');
    }
    // Still readable, and the rebuild left running: its lease will end it as completed.
    expect(await get(`/rebuilds/${started.id}`)).toMatchObject({ status: 'running' });
    for (const programId of Object.values(scenario.programs)) {
      expect(await get(`/programs/${programId}/summary`)).toMatchObject(
        scenario.totals((b) => b.programId === programId),
      );
    }
    await scope.sql('reporting', `UPDATE rebuilds SET heartbeat_at = now() - interval '61 seconds' WHERE id = $1`, [
      started.id,
    ]);
    expect(await rebuild()).toMatchObject({ generation: started.generation + 1, status: 'completed' });
    expect(await get(`/rebuilds/${started.id}`)).toMatchObject({ status: 'completed' });
  });

  it('records a rebuild as failed and drops its generation when its instance shuts down, so the next one starts at once', async () => {
    const leaving = await scope.start(reportingService);
    const started = (
      await request(leaving.url).post('/rebuilds').set('Authorization', `Bearer ${operator}`).expect(202)
    ).body;
    await scope.stop(leaving.app);

    expect(await get(`/rebuilds/${started.id}`)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('the service is shutting down'),
    });
    const schemas = await scope.sql('reporting', `SELECT 1 FROM pg_namespace WHERE nspname = $1`, [
      `reporting_g${started.generation}`,
    ]);
    expect(schemas).toEqual([]);
    expect(await rebuild()).toMatchObject({ status: 'completed' });
  });

  it('gives the same rows whatever the batches: one event at a time, or batches that split a booklet from its outcomes', async () => {
    const projection = reporting.app.get(ProjectionService);
    const generations = reporting.app.get(GenerationRepository);
    const tx = reporting.app.get(TransactionHost);
    // As a consumer sees them (checked, payloads as their classes), causes first, with some delivered twice.
    const log = [
      ...scenario.funding,
      ...scenario.issuance,
      ...scenario.redemption,
      ...scenario.redemption.filter((_, i) => i % 50 === 0),
    ];
    const events: PositionedEvent[] = log.map((e, offset) => {
      const check = checkEvent(JSON.parse(JSON.stringify(e)));
      if (!check.valid) throw new Error(check.reason);
      return { envelope: check.envelope, position: { partition: 0, offset: String(offset) } };
    });
    const [oneByOne, batched] = [90, 91];
    for (const generation of [oneByOne, batched]) await generations.create(generation);
    try {
      for (const event of events) await tx.run(() => projection.apply(oneByOne, [event]));
      // Batches of an odd size, so that a booklet and its passes' outcomes fall in the same batch or in different ones.
      for (let start = 0; start < events.length; start += 97)
        await tx.run(() => projection.apply(batched, events.slice(start, start + 97)));
      const [expected, actual] = [await rows(oneByOne), await rows(batched)];
      expect(expected.passes.length).toBe(scenario.totals(() => true).passesIssued);
      for (const table of TABLES) expect({ table, rows: actual[table] }).toEqual({ table, rows: expected[table] });
    } finally {
      for (const generation of [oneByOne, batched]) await tx.run(() => generations.drop(generation));
    }
  });
});
