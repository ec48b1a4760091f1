import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { siretFor, TestScope, testKeyPair, testToken, waitFor } from '@app/testing';
import { createWebApp } from '../../services/web/src/web.app';
import type { Platform } from '../e2e/platform';
import { as, startPlatform } from '../e2e/platform';

const ARTIFACTS = join(__dirname, '..', 'artifacts', 'web');
const IBAN = { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP882' };
const CODE = /[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}-[0-9A-HJKMNP-TV-Z]/g;

/** The month before this one in Paris: over, and with nothing redeemed in it by this test. */
function previousParisMonth(now = new Date()): string {
  const [year, month] = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
  })
    .format(now)
    .split('-')
    .map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/**
 * The web application in a real browser, on the four real services: a
 * counselor issues and downloads a booklet, a site redeems one of its codes by
 * typing it (and is refused the second time), a funder sees it on the
 * dashboard, the operator runs a settlement.
 */
describe('the web application', () => {
  const scope = new TestScope('web');
  let platform: Platform;
  let web: INestApplication;
  let webUrl: string;
  let browser: Browser;
  const world = {} as { agencyId: string; siteId: string; stateId: string; programId: string };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const [started, launched] = await Promise.all([
      startPlatform(scope, { SETTLEMENT_SCHEDULE_ENABLED: 'false', EXPIRY_JOB_ENABLED: 'false' }),
      chromium.launch({
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
    platform = started;
    browser = launched;
    await seed();
    web = await createWebApp({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ISSUANCE_URL: platform.issuance.url,
      REDEMPTION_URL: platform.redemption.url,
      FUNDING_URL: platform.funding.url,
      REPORTING_URL: platform.reporting.url,
      DEV_SIGNING_KEY: (await testKeyPair()).privateKeyPem,
    });
    webUrl = (await web.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await scope.close();
  });

  /** Funders, a program, an agency with an allocation and an accredited site, through the services' APIs. */
  async function seed(): Promise<void> {
    const operator = await testToken({ role: 'operator', subject: 'web-test-operator' });
    const funding = as(platform.funding, operator);
    const state = (
      await funding.post('/funders', { name: 'État (ANCT)', kind: 'state', siret: siretFor(71_001) }).expect(201)
    ).body;
    const departement = (
      await funding
        .post('/funders', { name: 'Département de la Haute-Garonne', kind: 'departement', siret: siretFor(71_002) })
        .expect(201)
    ).body;
    const agency = (
      await as(platform.issuance, operator)
        .post('/agencies', { name: 'CCAS de Muret', kind: 'ccas', departement: '31', siret: siretFor(71_003) })
        .expect(201)
    ).body;
    const program = (
      await funding
        .post('/programs', {
          name: 'Pass numérique Haute-Garonne',
          validFrom: '2026-01-01',
          validUntil: '2030-12-31',
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
    const redemption = as(platform.redemption, operator);
    const site = (
      await redemption
        .post('/sites', {
          name: 'Espace numérique de Muret',
          siret: siretFor(71_004),
          address: '12 rue de la République',
          postalCode: '31600',
          inseeCode: '31395',
          labels: ['france_services'],
          ...IBAN,
        })
        .expect(201)
    ).body;
    const accredited = await redemption.post(`/sites/${site.id}/accreditation`, {
      validUntil: '2030-12-31',
      reason: 'Charte signée',
    });
    expect([200, 201]).toContain(accredited.status);
    await waitFor('funding to know the agency', async () =>
      (await funding.get('/agencies')).body.some((a: { id: string }) => a.id === agency.id),
    );
    await funding.post(`/programs/${program.id}/allocations`, { agencyId: agency.id, amountCents: 20_000 }).expect(201);
    const counselor = as(platform.issuance, await testToken({ role: 'counselor', org: agency.id }));
    await waitFor('issuance to receive the allocation', async () =>
      (await counselor.get('/allocations')).body.some((a: { remainingBooklets: number }) => a.remainingBooklets === 2),
    );
    Object.assign(world, { agencyId: agency.id, siteId: site.id, stateId: state.id, programId: program.id });
  }

  async function signIn(role: string, org: string | null): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      acceptDownloads: true,
      locale: 'fr-FR',
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${webUrl}/`);
    expect(page.url()).toBe(`${webUrl}/connexion`);
    await expect(page.textContent('main')).resolves.toContain('Mode développement');
    if (role === 'counselor') await shot(page, '0-sign-in');
    await page.locator(`input[name="role"][value="${role}"]`).check({ force: true });
    await page.getByRole('button', { name: 'Continuer' }).click();
    if (org) await page.getByLabel(/Financeur|Structure|Lieu de médiation/).selectOption(org);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForLoadState('load');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'pn_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    return { context, page };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('takes a booklet from a counselor to a site, a funder and a settlement', async () => {
    // The counselor issues a booklet and downloads it.
    const counselor = await signIn('counselor', world.agencyId);
    await counselor.page.getByRole('link', { name: 'Délivrer un carnet' }).first().click();
    await expect(counselor.page.textContent('main')).resolves.toContain('2 carnet(s)');
    await shot(counselor.page, '1-counselor-issue-form');
    await counselor.page.getByRole('button', { name: 'Délivrer le carnet' }).click();
    // Nothing chosen: each error is announced and tied to its field.
    await expect(counselor.page.getAttribute('#field-situation', 'aria-describedby')).resolves.toContain(
      'field-situation-error',
    );
    await counselor.page.locator(`input[name="programId"][value="${world.programId}"]`).check({ force: true });
    await counselor.page.getByLabel('Situation').selectOption('senior');
    await counselor.page.getByLabel('Niveau du diagnostic').selectOption('no_autonomy');
    await counselor.page.getByRole('button', { name: 'Délivrer le carnet' }).click();
    await counselor.page.waitForURL(/\/conseiller\/carnets\/[0-9a-f-]{36}$/);
    await expect(counselor.page.textContent('#message')).resolves.toContain('Carnet délivré');
    await shot(counselor.page, '2-counselor-booklet');
    const bookletId = counselor.page.url().split('/').pop()!;
    const [download] = await Promise.all([
      counselor.page.waitForEvent('download'),
      counselor.page.click('#booklet-pdf'),
    ]);
    const pdfPath = join(ARTIFACTS, 'booklet.pdf');
    await download.saveAs(pdfPath);
    expect(readFileSync(pdfPath).subarray(0, 4).toString()).toBe('%PDF');
    const codes = [...new Set(execFileSync('pdftotext', [pdfPath, '-']).toString().match(CODE) ?? [])];
    expect(codes).toHaveLength(10);
    // The last pass is lost: the counselor asks to void it.
    await counselor.page.getByText("Demander l'annulation du pass n° 10").click();
    await counselor.page.getByLabel("Motif d'annulation du pass n° 10").selectOption('lost');
    await counselor.page.getByRole('button', { name: 'Annuler le pass n° 10' }).click();
    await expect(counselor.page.textContent('#message')).resolves.toContain("Demande d'annulation envoyée");
    await counselor.context.close();

    // The site redeems a code typed by hand, then is refused the same code.
    await waitFor(
      'redemption to know the passes',
      async () =>
        (
          await scope.sql<{ n: number }>('redemption', 'SELECT count(*)::int AS n FROM passes WHERE booklet_id = $1', [
            bookletId,
          ])
        )[0].n === 10,
    );
    const site = await signIn('site', world.siteId);
    const field = site.page.getByLabel('Code du pass');
    // A typo is caught in the browser, before anything is sent.
    const typo = codes[0].replace(/-/g, '').toLowerCase().split('');
    typo[5] = typo[5] === 'a' ? 'b' : 'a';
    await field.pressSequentially(typo.join(''));
    await expect(field.inputValue()).resolves.toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
    await site.page.getByRole('button', { name: 'Valider' }).click();
    await expect(site.page.textContent('#code-0-error')).resolves.toContain('faute de frappe');
    await expect(field.getAttribute('aria-describedby')).resolves.toContain('code-0-error');
    expect(site.page.url()).toBe(`${webUrl}/lieu`);
    await field.fill('');
    await field.pressSequentially(codes[0].replace(/-/g, '').toLowerCase());
    await expect(field.inputValue()).resolves.toBe(codes[0]);
    await site.page.getByRole('button', { name: 'Valider' }).click();
    await expect(site.page.textContent('#message')).resolves.toContain('Pass validé');
    await expect(site.page.textContent('#recent-redemptions')).resolves.toContain(codes[0].replace(/-/g, '').slice(-4));
    await shot(site.page, '3-site-redeemed');
    await site.page.getByLabel('Code du pass').pressSequentially(codes[0]);
    await site.page.getByLabel('Code du pass').press('Enter'); // the keyboard alone submits
    await expect(site.page.textContent('#refusal')).resolves.toMatch(/déjà/);
    await expect(site.page.getAttribute('#code-0', 'aria-describedby')).resolves.toContain('code-0-error');
    await expect(site.page.textContent('#code-0-error')).resolves.toMatch(/déjà été utilisé/);
    await shot(site.page, '4-site-refused');
    // Two passes for one session, then that redemption is cancelled.
    await site.page.getByLabel('Code du pass').fill(codes[1]);
    await site.page.getByRole('button', { name: 'Ajouter un autre pass' }).click();
    await site.page.getByLabel('Code du pass n° 2').pressSequentially(codes[2]);
    await site.page.getByRole('button', { name: 'Valider' }).click();
    await expect(site.page.textContent('#message')).resolves.toContain('2 pass validés');
    await site.page.getByRole('button', { name: 'Annuler cette validation' }).first().click();
    await expect(site.page.textContent('#message')).resolves.toContain('Validation annulée');
    await site.context.close();
    // A colleague signed in elsewhere sees the site's redemptions too (the code ends only where they were typed), and may still cancel the first.
    const colleague = await signIn('site', world.siteId);
    const listed = (await colleague.page.textContent('#recent-redemptions')) ?? '';
    expect(listed).toContain('Annulée');
    expect(listed).toContain('1 pass');
    expect(listed).not.toContain(codes[0].replace(/-/g, '').slice(-4));
    await expect(colleague.page.getByRole('button', { name: 'Annuler cette validation' }).count()).resolves.toBe(1);
    await colleague.context.close();

    // The funder sees the redemption once reporting has it.
    const funder = await signIn('funder', world.stateId);
    await funder.page.getByRole('link', { name: 'Pass numérique Haute-Garonne' }).click();
    await waitFor(
      'the dashboard to show the redemption',
      async () => {
        const redeemed = await funder.page.textContent('#figure-redeemed');
        if (redeemed?.includes('(1 pass)')) return true;
        await funder.page.reload();
        return false;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    await expect(funder.page.textContent('#figure-issued')).resolves.toContain('(10 pass)');
    await expect(funder.page.locator('svg.pn-chart polyline, svg.pn-chart circle').count()).resolves.toBeGreaterThan(0);
    await expect(funder.page.textContent('main')).resolves.toContain('31');
    await shot(funder.page, '5-funder-dashboard');
    const [csv] = await Promise.all([
      funder.page.waitForEvent('download'),
      funder.page.getByRole('link', { name: /Toutes les validations/ }).click(),
    ]);
    await csv.saveAs(join(ARTIFACTS, 'validations.csv'));
    const passId = readFileSync(join(ARTIFACTS, 'validations.csv'), 'utf8').match(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
    )?.[0];
    expect(passId).toBeDefined();
    // The pass's audit trail, from its issue to its redemption.
    await funder.page.getByRole('link', { name: "Historique d'un pass" }).first().click();
    await funder.page.getByLabel('Identifiant du pass').fill(passId!);
    await funder.page.getByRole('button', { name: "Afficher l'historique" }).click();
    await expect(funder.page.textContent('main')).resolves.toMatch(/BookletIssued[\s\S]*VoucherRedeemed/);
    await expect(funder.page.textContent('main')).resolves.toMatch(/Structure[\s\S]*Lieu/);
    await expect(funder.page.textContent('main')).resolves.not.toContain('[object Object]');
    await shot(funder.page, '5b-funder-audit');
    await funder.context.close();

    // The operator settles last month (nothing was redeemed then: a run without statements) and sees it listed.
    const operator = await signIn('operator', null);
    await operator.page.goto(`${webUrl}/operateur/reglements`);
    const period = previousParisMonth();
    await operator.page.getByLabel('Mois à régler').fill(period);
    await operator.page.getByRole('button', { name: 'Lancer le règlement' }).click();
    await expect(operator.page.textContent('#message')).resolves.toContain(`Règlement de ${period} lancé`);
    await expect(operator.page.textContent(`#run-${period}`)).resolves.toContain(period);
    await shot(operator.page, '6-operator-settlements');
    await operator.page.goto(`${webUrl}/operateur/lieux`);
    await expect(operator.page.textContent('main')).resolves.toContain('Espace numérique de Muret');
    // The national file: its site arrives pending, and cannot be accredited without a payout account.
    await operator.page.setInputFiles(
      '#field-file',
      join(__dirname, '..', 'redemption', 'fixtures', 'exemple-valide.csv'),
    );
    await operator.page.getByRole('button', { name: 'Importer' }).click();
    await expect(operator.page.textContent('main')).resolves.toContain('lieux créés : 1');
    await operator.page.getByRole('button', { name: 'Habiliter', exact: true }).first().click();
    await expect(operator.page.textContent('#message')).resolves.toMatch(
      /n'a pas été enregistrée[\s\S]*(RIB|IBAN|compte)/i,
    );
    await shot(operator.page, '7-operator-sites');
    await operator.page.setViewportSize({ width: 375, height: 800 });
    await operator.page.goto(`${webUrl}/operateur`);
    await shot(operator.page, '8-operator-home-phone');
    await operator.context.close();
  });

  it('keeps pages behind sign-in and refuses forms without the session token', async () => {
    const anonymous = await fetch(`${webUrl}/conseiller`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/connexion');
    const { context, page } = await signIn('site', world.siteId);
    const cookie = (await context.cookies()).find((c) => c.name === 'pn_session')!;
    const forged = await fetch(`${webUrl}/lieu/validation`, {
      method: 'POST',
      headers: { cookie: `pn_session=${cookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'codes=AAAA',
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    const other = await page.goto(`${webUrl}/operateur`);
    expect(other?.status()).toBe(403);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${webUrl}/connexion`);
    const afterSignOut = await fetch(`${webUrl}/lieu`, {
      headers: { cookie: `pn_session=${cookie.value}` },
      redirect: 'manual',
    });
    expect(afterSignOut.status).toBe(303);
    expect((await fetch(`${webUrl}/health`)).status).toBe(200);
    expect(await (await fetch(`${webUrl}/metrics`)).text()).toContain('http_request_duration_seconds');
    await context.close();
  });
});
