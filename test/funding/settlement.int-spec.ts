import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fundingService } from '../../services/funding/src/funding.service-definition';
import type { BookletIssuedV1, SiteRegisteredV1 } from '@app/contracts';
import { SiteUpdated } from '@app/contracts';
import { envelopeOf, publishEnvelopes, TestScope, testToken } from '@app/testing';
import { bearer, bookletIssued, FundingDriver, passEvent } from './funding-fixtures';
import { pdfText, redeemedAt, siteEvents, validateXml, xmlValues } from './fixtures/settlement-fixtures';

const XSD = join(__dirname, 'fixtures', 'pain.001.001.03.xsd');

describe('settlement: monthly statements, SEPA payment file, funders accounts', () => {
  const scope = new TestScope('settlement');
  let driver: FundingDriver;
  let prefix: string;
  let state: string;
  let departement: string;
  let programA: string;
  let programB: { id: string; fundingLines: Array<{ id: string; funderId: string }> };
  let agencyId: string;
  const siteA = randomUUID(); // paid normally
  const siteB = randomUUID(); // accreditation revoked: still paid for what it redeemed
  const siteC = randomUUID(); // no payout account: statement held
  let bookletA: BookletIssuedV1;
  let bookletB: BookletIssuedV1;
  let septemberRun: string;

  const http = () => driver.http();
  const asOperator = (req: ReturnType<ReturnType<typeof http>['get']>) =>
    req.set('Authorization', bearer(driver.operator));
  const publish = async (events: Array<{ eventId: string }>) => {
    await publishEnvelopes(prefix, events as never);
    await driver.consumed(events.map((e) => e.eventId));
  };
  const sepa = async (runId: string) =>
    (await asOperator(http().get(`/settlement-runs/${runId}/sepa`)).expect(200)).text;
  const totalsOf = async (programId: string) => (await driver.balances(programId)).totals;
  const outbox = async (type: string) =>
    scope.sql<{ payload: { payload: Record<string, unknown> } }>(
      'funding',
      'SELECT payload FROM outbox_messages WHERE event_type = $1 ORDER BY id',
      [type],
    );

  beforeAll(async () => {
    const funding = await scope.start(fundingService, {
      CONSUMER_MAX_ATTEMPTS: '2',
      SETTLEMENT_SCHEDULE_ENABLED: 'false',
    });
    driver = await FundingDriver.create(scope, funding);
    prefix = funding.env.KAFKA_TOPIC_PREFIX!;
    state = await driver.registerFunder('État', 'state');
    departement = await driver.registerFunder('Département de la Haute-Garonne', 'departement');
    const caf = await driver.registerFunder('CAF', 'caf');
    programA = (
      await driver.openProgram(
        [
          { funderId: state, shareBasisPoints: 5000 },
          { funderId: departement, shareBasisPoints: 5000 },
        ],
        { budgetCents: 100_000 },
      )
    ).id;
    programB = await driver.openProgram(
      [
        { funderId: state, shareBasisPoints: 3334 },
        { funderId: departement, shareBasisPoints: 3333 },
        { funderId: caf, shareBasisPoints: 3333 },
      ],
      {
        name: 'Pass numérique hiver',
        toleranceDays: 0,
        budgetCents: 20_000,
      },
    );
    await driver.movePastValidity(programB.id, '2026-01-01', '2026-01-31');
    agencyId = await driver.knownAgency();
    await driver.allocate(programA, agencyId, 50_000).expect(201);
    await driver.allocate(programB.id, agencyId, 10_000).expect(201);
    const issuedA = bookletIssued(programA, agencyId, 10);
    const issuedB = bookletIssued(programB.id, agencyId, 5);
    bookletA = issuedA.payload;
    bookletB = issuedB.payload;
    await publish([
      ...siteEvents(siteA, 'Médiathèque José Cabanis', 'FR1420041010050500013M02606'),
      ...siteEvents(siteB, 'Espace numérique & Cie <Blagnac>', 'FR7630006000011234567890189', true),
      ...siteEvents(siteC, 'Tiers-lieu sans RIB', null),
    ]);
    await publish([issuedA, issuedB]);
  });
  afterAll(() => scope.close());

  it('learns who to pay from the site events: name, identifiers, payout account and accreditation', async () => {
    const payees = await scope.sql(
      'funding',
      'SELECT site_id, iban, bic, accreditation_status FROM payees ORDER BY name',
    );
    expect(payees).toEqual(
      expect.arrayContaining([
        { site_id: siteA, iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPTOU', accreditation_status: 'accredited' },
        { site_id: siteB, iban: 'FR7630006000011234567890189', bic: 'PSSTFRPPTOU', accreditation_status: 'revoked' },
        { site_id: siteC, iban: null, bic: null, accreditation_status: 'accredited' },
      ]),
    );
  });

  it('settles September once: one statement per site, the SEPA file validates and sums to the statements and to the ledger', async () => {
    const september = [
      redeemedAt(bookletA, 0, siteA, '2026-09-10T09:00:00.000Z'),
      redeemedAt(bookletA, 1, siteA, '2026-09-10T10:00:00.000Z'),
      redeemedAt(bookletA, 2, siteA, '2026-09-30T21:30:00.000Z'), // 23:30 in Paris, still September
      redeemedAt(bookletA, 3, siteA, '2026-09-30T22:30:00.000Z'), // 00:30 on 1 October in Paris: next period
      redeemedAt(bookletA, 4, siteB, '2026-09-15T14:00:00.000Z'),
      redeemedAt(bookletA, 5, siteC, '2026-09-20T14:00:00.000Z'),
      redeemedAt(bookletA, 6, siteA, '2026-09-05T14:00:00.000Z'),
      redeemedAt(bookletB, 0, siteB, '2026-09-12T14:00:00.000Z'),
      redeemedAt(bookletB, 1, siteB, '2026-09-12T15:00:00.000Z'),
    ];
    await publish(september);
    await publish([passEvent('cancelled', bookletA, 6, siteA)]); // cancelled before any statement: simply not paid

    const started = await asOperator(http().post('/settlement-runs')).send({ period: '2026-09' }).expect(201);
    septemberRun = started.body.id;
    expect(started.body).toMatchObject({
      period: '2026-09',
      status: 'issued',
      statementCount: 3,
      paymentFile: { transactions: 2, controlSumCents: 6000 },
      heldCents: 1000,
    });
    const bySite = new Map(started.body.statements.map((s: { siteId: string }) => [s.siteId, s]));
    expect(bySite.get(siteA)).toMatchObject({
      totalCents: 3000,
      held: false,
      reference: expect.stringMatching(/^PN-2026-09-\d{6}$/),
    });
    expect(bySite.get(siteB)).toMatchObject({ totalCents: 3000, held: false }); // revoked, yet paid what it redeemed
    expect(bySite.get(siteC)).toMatchObject({
      totalCents: 1000,
      held: true,
      heldReason: expect.stringContaining('Aucun compte de paiement'),
    });

    const xml = await sepa(septemberRun);
    await expect(validateXml(xml, XSD)).resolves.toContain('validates');
    expect(xmlValues(xml, 'NbOfTxs')).toEqual(['2', '2']);
    expect(xmlValues(xml, 'CtrlSum')).toEqual(['60.00', '60.00']);
    expect(xmlValues(xml, 'InstdAmt')).toEqual(['30.00', '30.00']);
    expect(xmlValues(xml, 'EndToEndId').sort()).toEqual(
      [
        (bySite.get(siteA) as { reference: string }).reference,
        (bySite.get(siteB) as { reference: string }).reference,
      ].sort(),
    );
    expect(xml).toContain('<Nm>Espace numerique Cie Blagnac</Nm>'); // the SEPA character set, nothing a bank would reject
    expect(xml).not.toContain('Tiers-lieu sans RIB'); // the held statement is not in the file
    expect((await outbox('SettlementStatementIssued')).map((m) => m.payload.payload.held).sort()).toEqual([
      false,
      false,
      true,
    ]);

    // Running the same period again pays nothing twice.
    const again = await asOperator(http().post('/settlement-runs')).send({ period: '2026-09' }).expect(409);
    expect(again.body.code).toBe('SETTLEMENT_PERIOD_ALREADY_RUN');
    expect(await scope.sql('funding', 'SELECT count(*)::int AS n FROM settlement_statements')).toEqual([{ n: 3 }]);

    const payableBefore = (await totalsOf(programA)).site_payable + (await totalsOf(programB.id)).site_payable;
    await asOperator(http().post(`/settlement-runs/${septemberRun}/payment-confirmation`)).expect(201);
    const [a, b] = [await totalsOf(programA), await totalsOf(programB.id)];
    // The control sum is what moved from payable to paid in the ledger.
    expect(a.site_paid + b.site_paid).toBe(6000);
    expect(a.site_payable + b.site_payable).toBe(payableBefore - 6000);
    expect(a.site_payable).toBe(2000); // the held statement and the redemption after the cut-off
    const paidTransfers = (
      await asOperator(http().get(`/programs/${programA}/transfers?pageSize=200`)).expect(200)
    ).body.items.filter((t: { kind: string }) => t.kind === 'settlement_paid');
    expect(paidTransfers.reduce((sum: number, t: { amountCents: number }) => sum + t.amountCents, 0)).toBe(4000);

    const repeated = await asOperator(http().post(`/settlement-runs/${septemberRun}/payment-confirmation`)).expect(409);
    expect(repeated.body.code).toBe('SETTLEMENT_RUN_ALREADY_PAID');
    expect((await totalsOf(programA)).site_paid).toBe(a.site_paid);
    expect(await outbox('SettlementPaid')).toHaveLength(2);

    const view = (await asOperator(http().get(`/settlement-runs/${septemberRun}`)).expect(200)).body;
    expect(view.status).toBe('paid');
    expect(view.timeToPay.worstDays).toBeGreaterThanOrEqual(view.timeToPay.medianDays);
    expect(view.timeToPay.medianDays).toBeGreaterThan(30); // redeemed in September, paid in November
    expect(await driver.reconciliation()).toEqual([]);
  });

  it('prints each statement as a French PDF, readable by its own site only', async () => {
    const view = (await asOperator(http().get(`/settlement-runs/${septemberRun}`)).expect(200)).body;
    const statement = view.statements.find((s: { siteId: string }) => s.siteId === siteA);
    const pdfOf = (token: string) =>
      http()
        .get(`/settlement-runs/${septemberRun}/statements/${statement.id}/pdf`)
        .set('Authorization', bearer(token))
        .buffer(true)
        .parse((response, callback) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => callback(null, Buffer.concat(chunks)));
        });
    const response = await pdfOf(await testToken({ role: 'site', org: siteA })).expect(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(response.body);
    expect(text).toContain('Relevé de règlement des pass numériques');
    expect(text).toContain(statement.reference);
    expect(text).toContain('Période : septembre 2026');
    expect(text).toContain('Total à payer : 30,00 €');
    expect(text).toContain('État 5,00 €');
    await pdfOf(await testToken({ role: 'site', org: siteB })).expect(404);
  });

  it('lists the payees for the operator, those with held money first, each IBAN shown only in part', async () => {
    const payees = (await asOperator(http().get('/payees')).expect(200)).body;
    expect(payees.map((p: { siteId: string }) => p.siteId)).toEqual([siteC, siteB, siteA]); // held first, then by name
    expect(payees[0]).toEqual({
      siteId: siteC,
      known: true,
      name: 'Tiers-lieu sans RIB',
      siret: expect.stringMatching(/^\d{14}$/),
      rna: null,
      accreditationStatus: 'accredited',
      payoutAccount: null,
      held: { statements: 1, cents: 1000, reason: expect.stringContaining('Aucun compte de paiement') },
    });
    expect(payees[1]).toMatchObject({
      siteId: siteB,
      accreditationStatus: 'revoked',
      payoutAccount: { iban: 'FR76…0189', bic: 'PSSTFRPPTOU' },
      held: { statements: 0, cents: 0, reason: null },
    });
    expect(payees[2]).toMatchObject({
      siteId: siteA,
      payoutAccount: { iban: 'FR14…2606', bic: 'PSSTFRPPTOU' },
      held: { statements: 0, cents: 0 },
    });
    expect(JSON.stringify(payees)).not.toContain('FR1420041010050500013M02606');
    await http()
      .get('/payees')
      .set('Authorization', bearer(await testToken({ role: 'site', org: siteC })))
      .expect(403);
  });

  it('takes a redemption after the cut-off into the next run, and a cancellation after settlement as a negative line there', async () => {
    // Site C now declares its account: its held September statement, unchanged, is paid by the next run.
    const [siteCRegistered] = await scope.sql<{ name: string }>(
      'funding',
      'SELECT name FROM payees WHERE site_id = $1',
      [siteC],
    );
    const siteCDetails = siteEvents(siteC, siteCRegistered.name, null)[0].payload as SiteRegisteredV1;
    await publish([
      envelopeOf(SiteUpdated, { ...siteCDetails, iban: 'FR7612739000707851367839412', bic: 'PSSTFRPPTOU' }),
    ]);
    await publish([redeemedAt(bookletA, 7, siteA, '2026-10-10T09:00:00.000Z')]);
    const paidBefore = (await totalsOf(programA)).site_paid;
    await publish([passEvent('cancelled', bookletA, 0, siteA)]); // settled and paid in September
    expect((await totalsOf(programA)).site_paid).toBe(paidBefore - 1000); // the site owes it back

    const october = (await asOperator(http().post('/settlement-runs')).send({ period: '2026-10' }).expect(201)).body;
    expect(october.statements).toHaveLength(1); // the held September statement is not issued again…
    expect(
      october.releasedStatements.map((s: { siteId: string; totalCents: number }) => [s.siteId, s.totalCents]),
    ).toEqual([[siteC, 1000]]); // …but paid now
    expect(october.paymentFile).toEqual({ transactions: 2, controlSumCents: 2000 });
    const statement = (
      await asOperator(http().get(`/settlement-runs/${october.id}/statements/${october.statements[0].id}`)).expect(200)
    ).body;
    expect(statement.siteId).toBe(siteA);
    expect(statement.lines.map((l: { passId: string; amountCents: number }) => [l.passId, l.amountCents])).toEqual(
      expect.arrayContaining([
        [bookletA.passes[0].passId, -1000],
        [bookletA.passes[3].passId, 1000],
        [bookletA.passes[7].passId, 1000],
      ]),
    );
    expect(statement.lines).toHaveLength(3);
    expect(statement.totalCents).toBe(1000);
    const xml = await sepa(october.id);
    await expect(validateXml(xml, XSD)).resolves.toContain('validates');
    expect(xmlValues(xml, 'CtrlSum')).toEqual(['20.00', '20.00']);
    expect(xml).toContain('<IBAN>FR7612739000707851367839412</IBAN>');

    // Cancelled after its statement was issued but before payment: it comes back from payable, and is owed back next time.
    await publish([passEvent('cancelled', bookletA, 7, siteA)]);
    await asOperator(http().post(`/settlement-runs/${october.id}/payment-confirmation`)).expect(201);
    const pendingAdjustments = await scope.sql<{ cents: number }>(
      'funding',
      `SELECT COALESCE(sum(amount_cents), 0)::int AS cents FROM settlement_items WHERE kind = 'adjustment' AND status = 'pending'`,
    );
    expect(pendingAdjustments).toEqual([{ cents: -1000 }]);
    // What the ledger counts as paid is what the bank paid (60 €, then 10 € + 10 €), less what site A owes back.
    const [a, b] = [await totalsOf(programA), await totalsOf(programB.id)];
    expect(a.site_paid + b.site_paid).toBe(6000 + 2000 - 1000);
    expect(a.site_payable + b.site_payable).toBe(0);
    expect(await driver.reconciliation()).toEqual([]);
  });

  it('gives each funder its share of what was paid, and only its own', async () => {
    const all = (await asOperator(http().get(`/settlement-runs/${septemberRun}/funder-statements`)).expect(200)).body;
    const total = all.reduce((sum: number, f: { totalCents: number }) => sum + f.totalCents, 0);
    expect(total).toBe(6000);
    const own = (
      await http()
        .get(`/settlement-runs/${septemberRun}/funder-statements`)
        .set('Authorization', bearer(await testToken({ role: 'funder', org: departement })))
        .expect(200)
    ).body;
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ funderId: departement, totalCents: 1500 + 500 + 666 }); // half of site A's 30 € and of site B's 10 €, and its third of site B's 20 € of the winter program
  });

  it('issues once per program, after validity and expiries, a credit note per funding line; with statements they account for every euro', async () => {
    const tooEarly = await asOperator(http().post(`/programs/${programA}/credit-notes`)).expect(409);
    expect(tooEarly.body.code).toBe('PROGRAM_VALIDITY_NOT_OVER');
    const pending = await asOperator(http().post(`/programs/${programB.id}/credit-notes`)).expect(409);
    expect(pending.body.code).toBe('PROGRAM_EXPIRIES_PENDING');

    await publish([
      passEvent('voided', bookletB, 2, siteA),
      passEvent('expired', bookletB, 3, siteA),
      passEvent('expired', bookletB, 4, siteA),
    ]);
    const notes = (await asOperator(http().post(`/programs/${programB.id}/credit-notes`)).expect(201)).body;
    expect(notes.map((n: { amountCents: number }) => n.amountCents)).toEqual([668, 666, 666]);
    expect((await outbox('FunderCreditNoteIssued')).map((m) => m.payload.payload.amountCents)).toEqual([668, 666, 666]);
    expect((await asOperator(http().post(`/programs/${programB.id}/credit-notes`)).expect(409)).body.code).toBe(
      'CREDIT_NOTES_ALREADY_ISSUED',
    );

    // Per program: what the funders were accounted for (statements of every run, credit notes) = redeemed + released.
    const runs = (await asOperator(http().get('/settlement-runs')).expect(200)).body;
    let accounted = 0;
    for (const run of runs) {
      for (const funder of (await asOperator(http().get(`/settlement-runs/${run.id}/funder-statements`)).expect(200))
        .body) {
        accounted += funder.programs
          .filter((p: { programId: string }) => p.programId === programB.id)
          .reduce((sum: number, p: { amountCents: number }) => sum + p.amountCents, 0);
      }
    }
    accounted += notes.reduce((sum: number, n: { amountCents: number }) => sum + n.amountCents, 0);
    const b = await totalsOf(programB.id);
    expect(accounted).toBe(b.site_paid + b.site_payable + b.funder_released);
    expect(accounted).toBe(2 * 1000 + 2 * 1000);
    expect(await driver.reconciliation()).toEqual([]);
  });

  it('refuses a month not over yet, and lets only one of two concurrent runs of a period through', async () => {
    const now = new Date();
    const current = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    expect((await asOperator(http().post('/settlement-runs')).send({ period: '2099-01' }).expect(422)).body.code).toBe(
      'SETTLEMENT_PERIOD_NOT_OVER',
    );
    await asOperator(http().post('/settlement-runs')).send({ period: current }).expect(422);
    await asOperator(http().post('/settlement-runs')).send({ period: '2026-13' }).expect(400);

    const statuses = await Promise.all(
      [1, 2].map(() => asOperator(http().post('/settlement-runs')).send({ period: '2026-07' })),
    );
    expect(statuses.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(
      await scope.sql('funding', `SELECT count(*)::int AS n FROM settlement_runs WHERE period = '2026-07'`),
    ).toEqual([{ n: 1 }]);
  });

  it('lists among the payees a site that only its held statement names (redemption never announced it)', async () => {
    const unannounced = randomUUID();
    await publish([redeemedAt(bookletA, 8, unannounced, '2026-08-20T09:00:00.000Z')]);
    await asOperator(http().post('/settlement-runs')).send({ period: '2026-08' }).expect(201);
    const payees = (await asOperator(http().get('/payees')).expect(200)).body;
    expect(payees[0]).toEqual({
      siteId: unannounced,
      known: false,
      name: expect.any(String),
      siret: null,
      rna: null,
      accreditationStatus: null,
      payoutAccount: null,
      held: { statements: 1, cents: 1000, reason: expect.stringContaining('Lieu inconnu') },
    });
    // Site C's September statement was paid by October's run: nothing of it is held any more.
    expect(payees.find((p: { siteId: string }) => p.siteId === siteC)).toMatchObject({
      payoutAccount: { iban: 'FR76…9412' },
      held: { statements: 0, cents: 0, reason: null },
    });
  });
});
