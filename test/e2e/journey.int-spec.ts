import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { metricValue, siretFor, TestScope, testToken, waitFor } from '@app/testing';
import type { Platform } from './platform';
import { as, caughtUp, startPlatform } from './platform';

const ARTIFACTS = join(__dirname, '..', 'artifacts', 'journey');
const SEPA_XSD = join(__dirname, '..', 'funding', 'fixtures', 'pain.001.001.03.xsd');
const IBAN = { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP882' };

/** Calendar facts in Paris, relative to the day the test runs. */
function parisCalendar(now = new Date()) {
  const [year, month] = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
  })
    .format(now)
    .split('-')
    .map(Number);
  const pad = (n: number) => String(n).padStart(2, '0');
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
  return {
    period: `${year}-${pad(month)}`,
    endOfMonth: `${year}-${pad(month)}-${pad(lastDay)}`,
    // 10:00 in Paris on the 2nd of next month: the month is over and the passes' validity too.
    secondOfNextMonth: new Date(`${next.year}-${pad(next.month)}-02T09:00:00Z`),
  };
}

/**
 * The whole journey through the HTTP APIs, with real tokens, on the real
 * broker and databases: funders, program, sites → allocation → booklet →
 * redemptions (one pass attacked by two sites at once) → void → cancellation
 * → monthly settlement with a valid SEPA file → expiry and credit notes →
 * reporting equal to the ledger, and an empty reconciliation.
 */
describe('the whole system, end to end', () => {
  const scope = new TestScope('journey');
  const calendar = parisCalendar();
  let platform: Platform;
  let operator: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    platform = await startPlatform(scope, { SETTLEMENT_SCHEDULE_ENABLED: 'false', EXPIRY_JOB_ENABLED: 'false' });
    operator = await testToken({ role: 'operator', subject: 'journey-operator' });
  });
  afterAll(async () => {
    jest.useRealTimers();
    await scope.close();
  });

  it('runs from funders to credit notes with every euro accounted for', async () => {
    const funding = as(platform.funding, operator);
    const issuance = as(platform.issuance, operator);
    const redemption = as(platform.redemption, operator);

    // The operator registers funders, an agency, a co-funded program and two sites.
    const state = (
      await funding.post('/funders', { name: 'État (ANCT)', kind: 'state', siret: siretFor(70_001) }).expect(201)
    ).body;
    const departement = (
      await funding
        .post('/funders', { name: 'Département de la Haute-Garonne', kind: 'departement', siret: siretFor(70_002) })
        .expect(201)
    ).body;
    const agency = (
      await issuance
        .post('/agencies', {
          name: 'France Travail Toulouse',
          kind: 'france_travail',
          departement: '31',
          siret: siretFor(70_003),
        })
        .expect(201)
    ).body;
    const program = (
      await funding
        .post('/programs', {
          name: 'Pass numérique Haute-Garonne',
          validFrom: '2026-01-01',
          validUntil: calendar.endOfMonth,
          toleranceDays: 0,
          territory: ['31'],
          fundingLines: [
            { funderId: state.id, shareBasisPoints: 5000 },
            { funderId: departement.id, shareBasisPoints: 5000 },
          ],
          budgetCents: 100_000,
        })
        .expect(201)
    ).body;
    const site = async (name: string, n: number) => {
      const created = (
        await redemption
          .post('/sites', {
            name,
            siret: siretFor(n),
            address: '1 place du Capitole',
            postalCode: '31000',
            inseeCode: '31555',
            labels: ['france_services'],
            ...IBAN,
          })
          .expect(201)
      ).body;
      await redemption
        .post(`/sites/${created.id}/accreditation`, { validUntil: '2030-12-31', reason: 'Charte signée, RIB vérifié' })
        .expect(succeeded);
      return created.id as string;
    };
    const siteA = await site('Espace numérique A', 70_004);
    const siteB = await site('Espace numérique B', 70_005);

    // Allocation: once funding knows the agency.
    await waitFor('funding to know the agency', async () =>
      (await funding.get('/agencies')).body.some((a: { id: string }) => a.id === agency.id),
    );
    await funding.post(`/programs/${program.id}/allocations`, { agencyId: agency.id, amountCents: 10_000 }).expect(201);

    // A counselor issues a booklet and prints it.
    const counselorToken = await testToken({ role: 'counselor', org: agency.id });
    const counselor = as(platform.issuance, counselorToken);
    await waitFor('issuance to receive the allocation', async () =>
      (await counselor.get('/allocations')).body.some(
        (a: { programId: string; remainingBooklets: number }) =>
          a.programId === program.id && a.remainingBooklets === 1,
      ),
    );
    const booklet = (
      await counselor
        .post('/booklets', {
          programId: program.id,
          beneficiary: { ageBand: '60_74', situation: 'senior', diagnosticLevel: 'no_autonomy' },
        })
        .expect(201)
    ).body;
    const codes: string[] = booklet.passes.map((p: { code: string }) => p.code);
    const pdf = await counselor
      .get(`/booklets/${booklet.id}/pdf`)
      .buffer(true)
      .parse(binary as never)
      .expect(200);
    writeFileSync(join(ARTIFACTS, 'booklet.pdf'), pdf.body);

    // Site A redeems three passes; the third is attacked by sites A and B at once.
    const siteAToken = await testToken({ role: 'site', org: siteA });
    const siteBToken = await testToken({ role: 'site', org: siteB });
    const staffA = as(platform.redemption, siteAToken);
    await waitFor(
      'redemption to know the passes',
      async () => (await staffA.post('/passes/check', { code: codes[0] })).body.usable === true,
    );
    const first = (
      await staffA
        .post('/redemptions', { codes: [codes[0]] })
        .set('Idempotency-Key', randomUUID())
        .expect(201)
    ).body;
    await staffA
      .post('/redemptions', { codes: [codes[1]] })
      .set('Idempotency-Key', randomUUID())
      .expect(201);
    const attack = await Promise.all(
      [siteAToken, siteBToken].flatMap((token) =>
        Array.from({ length: 10 }, () =>
          as(platform.redemption, token)
            .post('/redemptions', { codes: [codes[2]] })
            .set('Idempotency-Key', randomUUID()),
        ),
      ),
    );
    const winners = attack.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    expect(attack.filter((r) => r.status !== 201).every((r) => r.body.code === 'PASS_ALREADY_REDEEMED')).toBe(true);
    const attackWinner = winners[0].body.siteId as string;

    // The counselor voids a pass; site A cancels its first redemption.
    await counselor
      .post(`/passes/${booklet.passes[3].id}/void`, { reason: 'lost', comment: 'Carnet perdu' })
      .expect(succeeded);
    await waitFor(
      'the void to be confirmed',
      async () =>
        (await counselor.get(`/booklets/${booklet.id}`)).body.passes.find(
          (p: { id: string }) => p.id === booklet.passes[3].id,
        )?.status === 'voided',
    );
    await staffA
      .post(`/redemptions/${first.redemptionId}/cancellation`, { reason: 'Erreur de saisie' })
      .expect(succeeded);
    await Promise.all([
      caughtUp(platform.funding, platform.redemption),
      caughtUp(platform.issuance, platform.redemption),
    ]);

    // The month is over: settle it. Time moves for every service of this process (Date only; timers stay real).
    jest.useFakeTimers({
      advanceTimers: true,
      doNotFake: [
        'nextTick',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    jest.setSystemTime(calendar.secondOfNextMonth);
    const operatorLater = await testToken({ role: 'operator', subject: 'journey-operator' });
    const fundingLater = as(platform.funding, operatorLater);
    const run = (await fundingLater.post('/settlement-runs', { period: calendar.period }).expect(201)).body;
    const paidToSites = 2000; // two redemptions stand: the second pass and the attacked one
    expect(run.paymentFile).toEqual({ transactions: attackWinner === siteA ? 1 : 2, controlSumCents: paidToSites });
    const sepa = (await fundingLater.get(`/settlement-runs/${run.id}/sepa`).expect(200)).text;
    const sepaPath = join(ARTIFACTS, 'sepa-pain.001.001.03.xml');
    writeFileSync(sepaPath, sepa);
    execFileSync('xmllint', ['--noout', '--schema', SEPA_XSD, sepaPath], { stdio: 'pipe' });
    for (const statement of run.statements) {
      const statementPdf = await fundingLater
        .get(`/settlement-runs/${run.id}/statements/${statement.id}/pdf`)
        .buffer(true)
        .parse(binary as never)
        .expect(200);
      writeFileSync(join(ARTIFACTS, `statement-${statement.reference}.pdf`), statementPdf.body);
    }
    await fundingLater.post(`/settlement-runs/${run.id}/payment-confirmation`).expect(succeeded);
    await fundingLater.post('/settlement-runs', { period: calendar.period }).expect(409); // nothing is paid twice

    // The program's validity is over: the unredeemed passes expire, and their value goes back to the funders.
    const expiry = (await as(platform.redemption, operatorLater).post('/expiry-runs').expect(succeeded)).body;
    expect(expiry.expired).toBe(10 - 2 - 1); // two redeemed, one voided (the cancelled one expired too)
    await caughtUp(platform.funding, platform.redemption);
    await waitFor(
      'every expiry to be posted',
      async () => (await fundingLater.get(`/programs/${program.id}/balances`)).body.totals.passes_outstanding === 0,
    );
    const creditNotes = (await fundingLater.post(`/programs/${program.id}/credit-notes`).expect(201)).body;
    const released = 7000;
    expect(sum(creditNotes.map((c: { amountCents: number }) => c.amountCents))).toBe(released);

    // The ledger: every euro of the program, per account kind.
    const balances = (await fundingLater.get(`/programs/${program.id}/balances`).expect(200)).body;
    expect(balances.totals).toEqual({
      funder_commitment: 100_000,
      program_unallocated: 90_000,
      agency_allocated: 1000, // the voided pass's value is back with the agency
      passes_outstanding: 0,
      site_payable: 0,
      site_paid: paidToSites,
      funder_released: released,
    });
    expect((await fundingLater.get('/reconciliation').expect(200)).body.violations).toEqual([]);

    // Reporting, built only from events, says the same.
    await caughtUp(platform.reporting, platform.funding, platform.issuance, platform.redemption);
    const reporting = as(platform.reporting, operatorLater);
    const summary = (await reporting.get(`/programs/${program.id}/summary`).expect(200)).body;
    writeFileSync(join(ARTIFACTS, 'reporting-summary.json'), JSON.stringify(summary, null, 2));
    const ledger = balances.totals;
    expect(summary).toMatchObject({
      budgetCents: ledger.funder_commitment,
      allocatedCents: ledger.funder_commitment - ledger.program_unallocated,
      issuedCents: 10_000,
      redeemedCents: ledger.site_payable + ledger.site_paid,
      voidedCents: ledger.agency_allocated, // all that went back to the agency came from the voided pass
      expiredCents: ledger.funder_released,
      outstandingCents: ledger.passes_outstanding,
      passesIssued: 10,
      passesRedeemed: 2,
      passesVoided: 1,
      passesExpired: 7,
      bookletsIssued: 1,
      bookletsStarted: 1,
    });
    for (const line of balances.fundingLines as Array<{ fundingLineId: string; balances: Record<string, number> }>) {
      const reported = summary.fundingLines.find(
        (l: { fundingLineId: string }) => l.fundingLineId === line.fundingLineId,
      );
      expect(reported).toMatchObject({
        redeemedCents: line.balances.site_paid + line.balances.site_payable,
        expiredCents: line.balances.funder_released,
      });
    }
    const csv = await reporting
      .get(`/exports/redemptions.csv?programId=${program.id}`)
      .buffer(true)
      .parse(binary as never)
      .expect(200);
    writeFileSync(join(ARTIFACTS, 'redemptions.csv'), csv.body);
    const aggregates = await reporting
      .get(`/exports/programs/${program.id}/aggregates.csv`)
      .buffer(true)
      .parse(binary as never)
      .expect(200);
    writeFileSync(join(ARTIFACTS, 'aggregates.csv'), aggregates.body);
    expect(csv.body.toString('utf8')).toContain(';');

    // The business counters moved with the journey.
    const metric = async (service: keyof Platform, name: string) => {
      const text = (await request(platform[service].url).get('/metrics').expect(200)).text;
      return text
        .split('\n')
        .filter((line) => line.startsWith(name) && !line.startsWith(`${name}_`))
        .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
    };
    expect(await metric('issuance', 'booklets_issued_total')).toBe(1);
    expect(await metric('redemption', 'passes_redeemed_total')).toBe(3);
    expect(await metric('redemption', 'redemptions_cancelled_total')).toBe(1);
    // The attack's 19 losers; the checks that polled until redemption knew the passes are not redemptions.
    const refusedRedemptions = await metricValue(platform.redemption.url, 'redemption_refusals_total', {
      reason: 'PASS_ALREADY_REDEEMED',
      operation: 'redeem',
    });
    expect(refusedRedemptions).toBe(19);
    expect(await metric('funding', 'settlement_paid_cents_total')).toBe(paidToSites);
    expect(await metric('funding', 'events_consumed_total')).toBeGreaterThan(10);
  });
});

/** A command answered 200 or 201 (the services differ on actions that create nothing). */
function succeeded(response: { status: number; text: string }): void {
  if (response.status !== 200 && response.status !== 201)
    throw new Error(`expected success, got ${response.status}: ${response.text}`);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Binary bodies (PDF, CSV) as buffers with supertest. */
function binary(response: NodeJS.ReadableStream, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}
