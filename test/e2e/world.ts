import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '@app/auth';
import { siretFor, testToken, waitFor } from '@app/testing';
import type { Platform } from './platform';
import { as, caughtUp } from './platform';

/**
 * How to call a route with a path parameter: the parameters, and, for a route
 * that acts on one organisation's resource, the role and the body with which a
 * foreign organisation of that role must be turned away.
 */
export interface RouteFixture {
  params: Record<string, string>;
  query?: string;
  /** A body the route accepts, where the examples of its OpenAPI schema do not make one. */
  body?: object | string;
  foreign?: { role: Role; body?: object };
}

export type World = Record<
  | 'fundedProgram'
  | 'otherProgram'
  | 'funderA'
  | 'agencyA'
  | 'siteA'
  | 'booklet'
  | 'unusedBooklet'
  | 'bookletOrder'
  | 'pass'
  | 'redemption',
  string
>;

const EXAMPLE_CSV = join(__dirname, '..', 'redemption', 'fixtures', 'exemple-valide.csv');
export const IBAN = { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP882' };

/** Every route with a parameter needs an entry here, so a new route cannot escape the matrix. */
export function fixtures(w: World): Record<string, RouteFixture> {
  const none = randomUUID();
  return {
    'issuance GET /agencies/{id}': { params: { id: w.agencyA }, foreign: { role: 'counselor' } },
    'issuance GET /booklets/{id}': { params: { id: w.booklet }, foreign: { role: 'counselor' } },
    'issuance GET /booklets/{id}/pdf': { params: { id: w.booklet }, foreign: { role: 'counselor' } },
    'issuance GET /booklet-orders/{id}': { params: { id: w.bookletOrder }, foreign: { role: 'counselor' } },
    'issuance POST /booklets/{id}/void': {
      params: { id: w.unusedBooklet },
      foreign: { role: 'counselor', body: { reason: 'lost' } },
    },
    'issuance POST /passes/{id}/void': {
      params: { id: w.pass },
      foreign: { role: 'counselor', body: { reason: 'lost' } },
    },
    'redemption GET /sites/{id}': { params: { id: w.siteA }, foreign: { role: 'site' } },
    'redemption PATCH /sites/{id}/payout-account': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/accreditation': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/suspension': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/reinstatement': { params: { id: w.siteA } },
    'redemption POST /sites/{id}/revocation': { params: { id: w.siteA } },
    'redemption POST /redemptions/{id}/cancellation': {
      params: { id: w.redemption },
      foreign: { role: 'site', body: { reason: 'Erreur de saisie' } },
    },
    'redemption POST /sites/import': { params: {}, body: readFileSync(EXAMPLE_CSV, 'utf8') },
    'redemption POST /sites': { params: {}, body: siteBody('Lieu C', 80_007) },
    'redemption GET /sites/{id}/failed-attempts': { params: { id: w.siteA } },
    'funding POST /programs': { params: {}, body: programBody(w.funderA) },
    'funding GET /funders/{id}': { params: { id: w.funderA }, foreign: { role: 'funder' } },
    'funding GET /programs/{id}': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'funding POST /programs/{id}/budget-increases': { params: { id: w.fundedProgram } },
    'funding POST /programs/{id}/closure': { params: { id: w.otherProgram } },
    'funding GET /programs/{id}/balances': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'funding GET /programs/{id}/transfers': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'funding POST /programs/{programId}/allocations': {
      params: { programId: w.fundedProgram },
      foreign: { role: 'funder', body: { agencyId: w.agencyA, amountCents: 10_000 } },
    },
    'funding GET /programs/{programId}/allocations': {
      params: { programId: w.fundedProgram },
      foreign: { role: 'funder' },
    },
    'funding POST /programs/{programId}/reclaims': {
      params: { programId: w.fundedProgram },
      foreign: { role: 'funder', body: { agencyId: w.agencyA, amountCents: 10_000 } },
    },
    'funding GET /settlement-runs/{id}': { params: { id: none } },
    'funding GET /settlement-runs/{id}/sepa': { params: { id: none } },
    'funding POST /settlement-runs/{id}/payment-confirmation': { params: { id: none } },
    // Statements only exist once a month is settled: their owners are checked in test/funding/settlement.int-spec.ts.
    'funding GET /settlement-runs/{id}/funder-statements': { params: { id: none } },
    'funding GET /settlement-runs/{id}/statements/{statementId}': { params: { id: none, statementId: none } },
    'funding GET /settlement-runs/{id}/statements/{statementId}/pdf': { params: { id: none, statementId: none } },
    'funding POST /programs/{id}/credit-notes': { params: { id: w.fundedProgram } },
    'funding GET /programs/{id}/credit-notes': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/summary': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-agency': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-site': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-departement': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/by-day': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /programs/{id}/profiles': { params: { id: w.fundedProgram }, foreign: { role: 'funder' } },
    'reporting GET /audit/passes/{passId}': { params: { passId: w.pass }, foreign: { role: 'funder' } },
    'reporting GET /audit/booklets/{bookletId}': { params: { bookletId: w.booklet }, foreign: { role: 'funder' } },
    'reporting GET /exports/programs/{id}/aggregates.csv': {
      params: { id: w.fundedProgram },
      foreign: { role: 'funder' },
    },
    'reporting GET /exports/redemptions.csv': {
      params: {},
      query: `programId=${w.fundedProgram}`,
      foreign: { role: 'funder' },
    },
    'reporting GET /rebuilds/{id}': { params: { id: none } },
    // Every service's dead letters (libs/platform): this world has none, the operator gets 404 (400 without a reason).
    ...Object.fromEntries(
      (['issuance', 'redemption', 'funding', 'reporting'] as const).flatMap((service) =>
        ['GET /dead-letters/{id}', 'POST /dead-letters/{id}/replay', 'POST /dead-letters/{id}/discard'].map((route) => [
          `${service} ${route}`,
          { params: { id: none } },
        ]),
      ),
    ),
  };
}

/** A role's token for organisation A, and the foreign organisation B's tokens. */
export type WorldTokens = Record<Role | 'foreignFunder' | 'foreignCounselor' | 'foreignSite', string>;

/** A program funded by one funder alone. */
export function programBody(funderId: string) {
  return {
    name: 'Programme matrice',
    validFrom: '2026-01-01',
    validUntil: '2030-12-31',
    toleranceDays: 31,
    territory: ['31'],
    fundingLines: [{ funderId, shareBasisPoints: 10000 }],
    budgetCents: 100_000,
  };
}

/** A site in Toulouse with its payout account. */
export function siteBody(name: string, n: number) {
  return {
    name,
    siret: siretFor(n),
    address: '1 rue Alsace-Lorraine',
    postalCode: '31000',
    inseeCode: '31555',
    labels: [],
    ...IBAN,
  };
}

/** The world's id for a body field or a query parameter named after what it points to. */
export function worldIdFor(w: World, name: string): string | undefined {
  const ids: Record<string, string> = {
    programId: w.fundedProgram,
    funderId: w.funderA,
    leadFunderId: w.funderA,
    agencyId: w.agencyA,
    siteId: w.siteA,
    bookletId: w.booklet,
    passId: w.pass,
    redemptionId: w.redemption,
  };
  return ids[name];
}

/** Two of everything, A the owner and B the foreigner, through the APIs. */
export async function buildWorld(platform: Platform, tokens: WorldTokens): Promise<World> {
  const operator = await testToken({ role: 'operator', subject: 'matrix-operator' });
  const funding = as(platform.funding, operator);
  const issuance = as(platform.issuance, operator);
  const redemption = as(platform.redemption, operator);
  const funderA = (
    await funding.post('/funders', { name: 'Financeur A', kind: 'state', siret: siretFor(80_001) }).expect(201)
  ).body.id;
  const funderB = (
    await funding.post('/funders', { name: 'Financeur B', kind: 'caf', siret: siretFor(80_002) }).expect(201)
  ).body.id;
  const agencyA = (
    await issuance
      .post('/agencies', { name: 'Agence A', kind: 'caf', departement: '31', siret: siretFor(80_003) })
      .expect(201)
  ).body.id;
  const agencyB = (
    await issuance
      .post('/agencies', { name: 'Agence B', kind: 'ccas', departement: '31', siret: siretFor(80_004) })
      .expect(201)
  ).body.id;
  const fundedProgram = (await funding.post('/programs', programBody(funderA)).expect(201)).body.id;
  const otherProgram = (await funding.post('/programs', programBody(funderB)).expect(201)).body.id;
  const site = async (name: string, n: number) => {
    const id = (await redemption.post('/sites', siteBody(name, n)).expect(201)).body.id;
    await redemption.post(`/sites/${id}/accreditation`, { validUntil: '2030-12-31', reason: 'Habilité' });
    return id as string;
  };
  const siteA = await site('Lieu A', 80_005);
  const siteB = await site('Lieu B', 80_006);
  await waitFor('funding to know the agency', async () =>
    (await funding.get('/agencies')).body.some((a: { id: string }) => a.id === agencyA),
  );
  await funding.post(`/programs/${fundedProgram}/allocations`, { agencyId: agencyA, amountCents: 20_000 }).expect(201);

  Object.assign(tokens, {
    operator,
    funder: await testToken({ role: 'funder', org: funderA }),
    counselor: await testToken({ role: 'counselor', org: agencyA }),
    site: await testToken({ role: 'site', org: siteA }),
    foreignFunder: await testToken({ role: 'funder', org: funderB }),
    foreignCounselor: await testToken({ role: 'counselor', org: agencyB }),
    foreignSite: await testToken({ role: 'site', org: siteB }),
  });
  const counselor = as(platform.issuance, tokens.counselor);
  await waitFor('the allocation to reach issuance', async () =>
    (await counselor.get('/allocations')).body.some((a: { remainingBooklets: number }) => a.remainingBooklets > 0),
  );
  const booklet = (
    await counselor
      .post('/booklets', {
        programId: fundedProgram,
        beneficiary: { situation: 'other', diagnosticLevel: 'low_autonomy' },
      })
      .expect(201)
  ).body;
  const bookletOrder = (
    await counselor
      .post('/booklet-orders', {
        programId: fundedProgram,
        beneficiaries: [{ situation: 'senior', diagnosticLevel: 'no_autonomy' }],
      })
      .set('Idempotency-Key', randomUUID())
      .expect(201)
  ).body;
  const staff = as(platform.redemption, tokens.site);
  await waitFor(
    'redemption to know the passes',
    async () => (await staff.post('/passes/check', { code: booklet.passes[0].code })).body.usable === true,
  );
  const redeemed = (
    await staff
      .post('/redemptions', { codes: [booklet.passes[0].code] })
      .set('Idempotency-Key', randomUUID())
      .expect(201)
  ).body;
  await Promise.all([
    caughtUp(platform.reporting, platform.issuance, platform.redemption),
    caughtUp(platform.funding, platform.issuance, platform.redemption),
  ]);
  return {
    fundedProgram,
    otherProgram,
    funderA,
    agencyA,
    siteA,
    booklet: booklet.id,
    unusedBooklet: bookletOrder.booklets[0].id,
    bookletOrder: bookletOrder.id,
    pass: booklet.passes[1].id,
    redemption: redeemed.redemptionId,
  };
}
