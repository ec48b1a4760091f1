import { readFileSync } from 'node:fs';
import request from 'supertest';
import type { RunningService } from '@app/testing';
import { siretFor, TestScope } from '@app/testing';
import { redemptionService } from '../../services/redemption/src/redemption.service-definition';
import { BIC, bearer, IBAN, outbox } from './redemption-fixtures';

const HEADER =
  'id,pivot,nom,commune,code_postal,code_insee,adresse,complement_adresse,telephone,courriels,dispositif_programmes_nationaux,date_maj';
const row = (i: number, name = `Médiathèque n°${i}`) =>
  `lieu-${i},${siretFor(50_000 + i)},${name},Toulouse,31000,31555,${i} allées Jean Jaurès,,+33561000000,contact${i}@lieu.example,France Services,2024-04-02`;
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');

describe('import of the national "Lieux de médiation numérique" CSV', () => {
  const scope = new TestScope('rdimport');
  let service: RunningService;
  let operator: string;

  beforeAll(async () => {
    service = await scope.start(redemptionService);
    operator = await bearer('operator', undefined, 'operator-import');
  });
  afterAll(() => scope.close());

  const importText = (text: string) =>
    request(service.url)
      .post('/sites/import')
      .set('Authorization', operator)
      .set('Content-Type', 'text/csv')
      .send(text);
  const countEvents = async () =>
    (
      await scope.sql<{ n: string }>(
        'redemption',
        `SELECT count(*) AS n FROM outbox_messages WHERE event_type LIKE 'Site%'`,
      )
    )[0].n;

  it("given the standard's example file sent as multipart, then its site is created pending with the national id; sent again as text/csv, unchanged and no event", async () => {
    const example = readFileSync(`${__dirname}/fixtures/exemple-valide.csv`);

    const first = await request(service.url)
      .post('/sites/import')
      .set('Authorization', operator)
      .attach('file', example, 'exemple-valide.csv')
      .expect(200);
    const events = await countEvents();
    const again = await importText(example.toString('utf8')).expect(200);

    expect(first.body.rows).toEqual([{ row: 1, id: 'structure-1', outcome: 'created', errors: [] }]);
    expect(again.body.rows).toEqual([{ row: 1, id: 'structure-1', outcome: 'unchanged', errors: [] }]);
    expect(await countEvents()).toBe(events);
    const [site] = await scope.sql(
      'redemption',
      `SELECT status, departement, siret, iban FROM sites WHERE source_id = 'structure-1'`,
    );
    expect(site).toEqual({ status: 'pending', departement: '51', siret: '43493312300029', iban: null });
    const [registered] = (await outbox(scope, 'SiteRegistered')).map((e) => e.payload.payload);
    expect(registered).toMatchObject({ source: 'structure-1', registeredBy: 'operator-import', iban: null });
  });

  it('given changed, identical and invalid rows, then a report per row; only the changed site emits SiteUpdated', async () => {
    await importText(csv(row(1), row(2))).expect(200);
    const updatesBefore = (await outbox(scope, 'SiteUpdated')).length;

    const response = await importText(
      csv(
        row(1, 'Médiathèque renommée'),
        row(2),
        row(3).replace('31555', '97502'),
        row(4).replace(siretFor(50_004), ''),
      ),
    ).expect(200);

    expect(response.body.counts).toEqual({ created: 0, updated: 1, unchanged: 1, rejected: 2 });
    expect(response.body.rows).toEqual([
      { row: 1, id: 'lieu-1', outcome: 'updated', errors: [] },
      { row: 2, id: 'lieu-2', outcome: 'unchanged', errors: [] },
      {
        row: 3,
        id: 'lieu-3',
        outcome: 'rejected',
        errors: ["code_insee : 97502 n'est dans aucun département couvert par le dispositif."],
      },
      { row: 4, id: 'lieu-4', outcome: 'rejected', errors: ['pivot : valeur obligatoire manquante.'] },
    ]);
    const updates = (await outbox(scope, 'SiteUpdated')).slice(updatesBefore).map((e) => e.payload.payload);
    expect(updates).toEqual([expect.objectContaining({ name: 'Médiathèque renommée', source: 'lieu-1' })]);
  });

  it('given an imported site, when accredited, then refused until the operator adds its payout account; a re-import keeps that account', async () => {
    const [site] = await scope.sql<{ id: string }>('redemption', `SELECT id FROM sites WHERE source_id = 'lieu-2'`);
    const accredit = () =>
      request(service.url)
        .post(`/sites/${site.id}/accreditation`)
        .set('Authorization', operator)
        .send({ validUntil: '2099-12-31', reason: 'Charte signée' });

    expect((await accredit().expect(409)).body.code).toBe('SITE_PAYOUT_ACCOUNT_MISSING');
    await request(service.url)
      .patch(`/sites/${site.id}/payout-account`)
      .set('Authorization', operator)
      .send({ iban: IBAN, bic: BIC })
      .expect(200);
    await accredit().expect(200);

    const reimport = await importText(csv(row(2))).expect(200);
    expect(reimport.body.rows[0].outcome).toBe('unchanged');
    expect((await scope.sql('redemption', 'SELECT iban, status FROM sites WHERE id = $1', [site.id]))[0]).toEqual({
      iban: IBAN,
      status: 'accredited',
    });
  });

  it('given a file without the required columns, then 400 IMPORT_FILE_INVALID', async () => {
    const response = await importText('id,nom\nx,y').expect(400);
    expect(response.body.code).toBe('IMPORT_FILE_INVALID');
  });

  it('given a site token, then 403', async () => {
    await request(service.url)
      .post('/sites/import')
      .set('Authorization', await bearer('site', '00000000-0000-4000-8000-000000000000'))
      .set('Content-Type', 'text/csv')
      .send(csv(row(9)))
      .expect(403);
  });

  it('given 10,000 rows, then they are imported in seconds, and a re-import changes nothing', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => row(100_000 + i));

    const started = Date.now();
    const response = await importText(csv(...rows)).expect(200);
    const firstMs = Date.now() - started;
    const eventsAfter = await countEvents();
    const again = Date.now();
    const reimport = await importText(csv(...rows)).expect(200);
    const secondMs = Date.now() - again;

    console.log(
      `import of 10,000 rows: ${firstMs} ms (service ${response.body.durationMs} ms); re-import: ${secondMs} ms (service ${reimport.body.durationMs} ms)`,
    );
    expect(response.body.counts).toEqual({ created: 10_000, updated: 0, unchanged: 0, rejected: 0 });
    expect(reimport.body.counts).toEqual({ created: 0, updated: 0, unchanged: 10_000, rejected: 0 });
    expect(await countEvents()).toBe(eventsAfter);
    expect(firstMs).toBeLessThan(30_000);
  });
});
