import jsQR from 'jsqr';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import request from 'supertest';
import type { RunningService } from '@app/testing';
import { TestScope, testToken } from '@app/testing';
import { issuanceService } from '../../services/issuance/src/issuance.service-definition';
import { bearer, IssuanceWorld } from './issuance-fixture';

const run = promisify(execFile);

/**
 * Every QR code on a page. jsQR reads one code per image and gets lost among
 * several, so it looks through full-width windows a little taller than one
 * pass section, sliding down the page.
 */
function decodeQrCodes(png: Buffer): Set<string> {
  const { width, height, data } = PNG.sync.read(png);
  const found = new Set<string>();
  // px at 150 dpi: one QR code (≈ 217 px) fits whole in at least one window of every 75 px step
  const windowHeight = 300;
  for (let top = 0; top < height; top += 75) {
    const rows = Math.min(windowHeight, height - top);
    const window = new Uint8ClampedArray(data.buffer, data.byteOffset + top * width * 4, rows * width * 4);
    const qr = jsQR(window, width, rows, { inversionAttempts: 'dontInvert' });
    if (qr) found.add(qr.data);
  }
  return found;
}

describe('the printable booklet', () => {
  const scope = new TestScope('isspdf');
  let issuance: RunningService;
  let world: IssuanceWorld;
  let workDir: string;
  let counselor: string;
  let agencyId: string;
  let booklet: { id: string; passes: Array<{ id: string; code: string }> };

  const pdfOf = (bookletId: string, token: string) =>
    request(issuance.url)
      .get(`/booklets/${bookletId}/pdf`)
      .set('Authorization', bearer(token))
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      });

  beforeAll(async () => {
    issuance = await scope.start(issuanceService);
    world = new IssuanceWorld(scope, issuance);
    workDir = await mkdtemp(join(tmpdir(), 'issuance-pdf-'));
    agencyId = await world.registerAgency();
    const program = await world.openProgram(
      {
        name: 'Pass numérique Occitanie 2026',
        validUntil: '2026-12-31',
        validFrom: '2026-01-01',
        territory: ['31', '32'],
      },
      ['Agence nationale de la cohésion des territoires', 'Département de la Haute-Garonne'],
    );
    await world.grant(agencyId, program.programId, 20_000);
    counselor = await testToken({ role: 'counselor', org: agencyId, subject: 'counselor-pdf' });
    booklet = (await world.issue(counselor, program.programId).expect(201)).body;
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
    await scope.close();
  });

  describe('given a booklet of 10 passes printed by its counselor', () => {
    let pdf: Buffer;
    let text: string;

    beforeAll(async () => {
      const response = await pdfOf(booklet.id, counselor).expect(200);
      expect(response.headers['content-type']).toBe('application/pdf');
      expect(response.headers['cache-control']).toBe('no-store');
      pdf = response.body;
      await writeFile(join(workDir, 'booklet.pdf'), pdf);
      text = (await run('pdftotext', ['-layout', join(workDir, 'booklet.pdf'), '-'])).stdout.replace(/\s+/g, ' ');
    });

    it('then it is an A4 PDF of 2 pages', async () => {
      const { stdout } = await run('pdfinfo', [join(workDir, 'booklet.pdf')]);

      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(stdout).toMatch(/Pages:\s+2/);
      expect(stdout).toMatch(/595\.2\d* x 841\.8\d* pts \(A4\)/);
    });

    it('then its text holds every formatted code', () => {
      for (const { code } of booklet.passes) expect(text).toContain(code);
    });

    it('then its text is in French: amount, validity, program, funders, territory, where to use', () => {
      expect(text).toContain('10,00 €');
      expect(text).toContain("Valable jusqu'au 31/12/2026");
      expect(text).toContain('Pass numérique Occitanie 2026');
      expect(text).toContain('Agence nationale de la cohésion des territoires');
      expect(text).toContain('Département de la Haute-Garonne');
      expect(text).toContain('départements 31, 32');
      expect(text).toContain('Où utiliser mon pass ?');
      expect(text).toContain('découper ici');
    });

    it('then each page rendered at 150 dpi shows QR codes that decode to exactly the passes’ codes', async () => {
      await run('pdftoppm', ['-png', '-r', '150', join(workDir, 'booklet.pdf'), join(workDir, 'page')]);
      const pages = (await readdir(workDir)).filter((name) => name.startsWith('page') && name.endsWith('.png')).sort();
      expect(pages).toHaveLength(2);

      const decoded = await Promise.all(
        pages.map(async (page) => [...decodeQrCodes(await readFile(join(workDir, page)))]),
      );

      expect(decoded.map((codes) => codes.length)).toEqual([5, 5]);
      expect(decoded.flat().sort()).toEqual(booklet.passes.map((p) => p.code).sort());
    });

    it('then the print is recorded with who printed it', async () => {
      const prints = await scope.sql('issuance', 'SELECT printed_by FROM booklet_prints WHERE booklet_id = $1', [
        booklet.id,
      ]);

      expect(prints).toEqual([{ printed_by: 'counselor-pdf' }]);
    });
  });

  it('given a reprint by the operator, then it is recorded too', async () => {
    const before = (await scope.sql('issuance', 'SELECT 1 FROM booklet_prints WHERE booklet_id = $1', [booklet.id]))
      .length;

    await pdfOf(booklet.id, await testToken({ role: 'operator', subject: 'operator-pdf' })).expect(200);

    const prints = await scope.sql<{ printed_by: string }>(
      'issuance',
      'SELECT printed_by FROM booklet_prints WHERE booklet_id = $1 ORDER BY id',
      [booklet.id],
    );
    expect(prints).toHaveLength(before + 1);
    expect(prints.at(-1)).toEqual({ printed_by: 'operator-pdf' });
  });

  it('given a counselor of another agency, then 404 BOOKLET_NOT_FOUND and no print is recorded', async () => {
    const other = await testToken({ role: 'counselor', org: await world.registerAgency() });
    const before = (await scope.sql('issuance', 'SELECT 1 FROM booklet_prints')).length;

    const response = await request(issuance.url)
      .get(`/booklets/${booklet.id}/pdf`)
      .set('Authorization', bearer(other))
      .expect(404);

    expect(response.body.code).toBe('BOOKLET_NOT_FOUND');
    expect(await scope.sql('issuance', 'SELECT 1 FROM booklet_prints')).toHaveLength(before);
  });

  it('given a funder, then 403', async () => {
    await request(issuance.url)
      .get(`/booklets/${booklet.id}/pdf`)
      .set('Authorization', bearer(await testToken({ role: 'funder', org: randomUUID() })))
      .expect(403);
  });
});
