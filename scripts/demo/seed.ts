// Seeds a believable demo through the services' own APIs, once: a second run
// finds the demo funder and only prints the tokens. Run by scripts/up.sh.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TokenRequest } from '../../libs/auth/src';
import { loadOrCreateDevKeys, mintToken } from '../../libs/auth/src';
import { isValidSiret } from '../../libs/validation/src';

const URLS = {
  issuance: process.env.ISSUANCE_URL ?? 'http://127.0.0.1:3001',
  redemption: process.env.REDEMPTION_URL ?? 'http://127.0.0.1:3002',
  funding: process.env.FUNDING_URL ?? 'http://127.0.0.1:3003',
};
const EXAMPLE_CSV = join(__dirname, '..', '..', '..', 'test', 'redemption', 'fixtures', 'exemple-valide.csv');

/** A Luhn-valid SIRET from 13 digits, so the demo's organisations pass every check. */
function siret(body13: string): string {
  for (let check = 0; check <= 9; check++) if (isValidSiret(`${body13}${check}`)) return `${body13}${check}`;
  throw new Error('unreachable');
}

const DEMO = {
  state: {
    name: 'État — Agence nationale de la cohésion des territoires',
    kind: 'state',
    siret: siret('1300260320001'),
  },
  departement: {
    name: 'Conseil départemental de la Haute-Garonne',
    kind: 'departement',
    siret: siret('2231000170001'),
  },
  agencies: [
    {
      name: 'France Travail Toulouse Compans',
      kind: 'france_travail',
      departement: '31',
      siret: siret('1300050310001'),
    },
    { name: 'CCAS de Muret', kind: 'ccas', departement: '31', siret: siret('2631039500001') },
  ],
  site: {
    name: 'Espace numérique de Muret',
    siret: siret('8102345670001'),
    address: '12 rue de la République',
    postalCode: '31600',
    inseeCode: '31395',
    contactEmail: 'contact@espace-numerique-muret.fr',
    iban: 'FR7630006000011234567890189',
    bic: 'AGRIFRPP882',
    labels: ['france_services', 'conseillers_numeriques'],
  },
  program: 'Pass numérique Haute-Garonne 2026-2027',
};

class Api {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const isText = typeof body === 'string';
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': isText ? 'text/csv' : 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${this.base}${path} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function main(): Promise<void> {
  const keys = await loadOrCreateDevKeys();
  const token = (request: TokenRequest) => mintToken(keys.privateKeyPem, { expiresIn: '12h', ...request });
  const operatorToken = await token({ role: 'operator', subject: 'demo-operator' });
  const funding = new Api(URLS.funding, operatorToken);
  const issuance = new Api(URLS.issuance, operatorToken);
  const redemption = new Api(URLS.redemption, operatorToken);

  let funders = await funding.call<Array<{ id: string; siret: string }>>('GET', '/funders');
  if (!funders.some((f) => f.siret === DEMO.state.siret)) {
    await seed(funding, issuance, redemption, token);
    funders = await funding.call('GET', '/funders');
  } else {
    console.log('Demo data already there: reusing it.');
  }

  const stateId = funders.find((f) => f.siret === DEMO.state.siret)!.id;
  const departementId = funders.find((f) => f.siret === DEMO.departement.siret)!.id;
  const agencies = await issuance.call<Array<{ id: string; siret: string; name: string }>>('GET', '/agencies');
  const agency = agencies.find((a) => a.siret === DEMO.agencies[0].siret)!;
  const sites = await redemption.call<Array<{ id: string; siret: string | null }>>('GET', '/sites');
  const site = sites.find((s) => s.siret === DEMO.site.siret)!;
  const lines = [
    ['operator', operatorToken],
    [`funder (${DEMO.state.name})`, await token({ role: 'funder', org: stateId, subject: 'demo-funder-state' })],
    [
      `funder (${DEMO.departement.name})`,
      await token({ role: 'funder', org: departementId, subject: 'demo-funder-31' }),
    ],
    [`counselor (${agency.name})`, await token({ role: 'counselor', org: agency.id, subject: 'demo-counselor' })],
    [`site (${DEMO.site.name})`, await token({ role: 'site', org: site.id, subject: 'demo-site-staff' })],
  ];
  console.log('\n  Tokens (valid 12 h; paste one in "Authorize" on a docs page):');
  for (const [who, value] of lines) console.log(`\n  ${who}:\n  ${value}`);
}

async function seed(
  funding: Api,
  issuance: Api,
  redemption: Api,
  token: (r: TokenRequest) => Promise<string>,
): Promise<void> {
  console.log('Seeding the demo data…');
  const state = await funding.call('POST', '/funders', DEMO.state);
  const departement = await funding.call('POST', '/funders', DEMO.departement);
  const agencies: Array<{ id: string }> = [];
  for (const agency of DEMO.agencies) agencies.push(await issuance.call('POST', '/agencies', agency));

  const program = await funding.call('POST', '/programs', {
    name: DEMO.program,
    faceValueCents: 1000,
    bookletSize: 10,
    validFrom: '2026-01-01',
    validUntil: '2027-06-30',
    toleranceDays: 31,
    territory: ['31'],
    fundingLines: [
      { funderId: state.id, shareBasisPoints: 5000 },
      { funderId: departement.id, shareBasisPoints: 5000 },
    ],
    budgetCents: 10_000_000,
  });
  await until('funding to learn the agencies', async () => {
    const known = await funding.call<Array<{ id: string }>>('GET', '/agencies');
    return agencies.every((a) => known.some((k) => k.id === a.id));
  });
  await funding.call('POST', `/programs/${program.id}/allocations`, { agencyId: agencies[0].id, amountCents: 200_000 });
  await funding.call('POST', `/programs/${program.id}/allocations`, { agencyId: agencies[1].id, amountCents: 100_000 });

  // Sites: the national example file, and a site in Haute-Garonne where the demo passes are redeemed.
  const imported = await redemption.call('POST', '/sites/import', readFileSync(EXAMPLE_CSV, 'utf8'));
  const site = await redemption.call('POST', '/sites', DEMO.site);
  const accreditable = [site.id];
  const createdIds = new Set(
    imported.rows.filter((r: { outcome: string }) => r.outcome === 'created').map((r: { id: string }) => r.id),
  );
  const all = await redemption.call<Array<{ id: string; sourceId: string | null }>>('GET', '/sites');
  for (const importedSite of all.filter((s) => s.sourceId !== null && createdIds.has(s.sourceId))) {
    // The national format carries no bank account: the operator enters it before accrediting.
    await redemption.call('PATCH', `/sites/${importedSite.id}/payout-account`, {
      iban: DEMO.site.iban,
      bic: DEMO.site.bic,
    });
    accreditable.push(importedSite.id);
  }
  for (const id of accreditable) {
    await redemption.call('POST', `/sites/${id}/accreditation`, {
      validUntil: '2027-12-31',
      reason: 'Charte signée, RIB vérifié',
    });
  }

  const counselor = new Api(
    URLS.issuance,
    await token({ role: 'counselor', org: agencies[0].id, subject: 'demo-counselor' }),
  );
  await until('issuance to receive the allocation', async () => {
    const allocations = await counselor.call<Array<{ programId: string; remainingBooklets: number }>>(
      'GET',
      '/allocations',
    );
    return allocations.some((a) => a.programId === program.id && a.remainingBooklets > 0);
  });
  const profiles = [
    { ageBand: '60_74', situation: 'senior', diagnosticLevel: 'no_autonomy' },
    { ageBand: '26_44', situation: 'job_seeker', diagnosticLevel: 'low_autonomy' },
    { situation: 'rsa_recipient', diagnosticLevel: 'partial_autonomy' },
  ];
  const booklets: Array<{ passes: Array<{ id: string; code: string }> }> = [];
  for (const beneficiary of profiles)
    booklets.push(await counselor.call('POST', '/booklets', { programId: program.id, beneficiary }));

  const siteStaff = new Api(URLS.redemption, await token({ role: 'site', org: site.id, subject: 'demo-site-staff' }));
  const codes = booklets[0].passes.slice(0, 3).map((p) => p.code);
  await until(
    'redemption to know the passes',
    async () => (await siteStaff.call('POST', '/passes/check', { code: codes[0] })).usable,
  );
  await siteStaff.call('POST', '/redemptions', { codes: codes.slice(0, 2) }, { 'idempotency-key': randomUUID() });
  await siteStaff.call('POST', '/redemptions', { codes: [codes[2]] }, { 'idempotency-key': randomUUID() });
  await counselor.call('POST', `/passes/${booklets[1].passes[0].id}/void`, {
    reason: 'lost',
    comment: 'Carnet égaré par le bénéficiaire',
  });
  console.log(
    `Seeded: 2 funders, 1 program, ${agencies.length} agencies, ${accreditable.length} accredited sites, ${booklets.length} booklets, 3 passes redeemed, 1 voided.`,
  );
}

main().catch((error: Error) => {
  console.error(`Demo seeding failed: ${error.message}`);
  process.exit(1);
});
