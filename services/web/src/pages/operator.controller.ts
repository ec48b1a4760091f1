import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { alert, form, input } from '../views/forms';
import { dateTime, date, euros, html, Html, integer } from '../views/html';
import { BADGE, SITE_STATUS_LABELS } from '../views/labels';
import { Renderer } from '../views/render';
import { sendBinary } from './proxy';

const table = (caption: string, head: string[], rows: Html[]) =>
  html`<div class="fr-table fr-table--no-caption"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content"><table>
    <caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div></div></div></div>`;

/** Site decisions other than accreditation, and what each is called on the page. */
const DECISIONS = { suspension: 'Suspendre', reinstatement: 'Rétablir', revocation: "Retirer l'habilitation" } as const;
const ALLOWED: Record<string, Array<keyof typeof DECISIONS>> = { accredited: ['suspension', 'revocation'], suspended: ['reinstatement', 'revocation'], pending: [], revoked: [] };
const IMPORT_OUTCOMES: Record<string, string> = { created: 'lieux créés', updated: 'mis à jour', unchanged: 'inchangés', rejected: 'lignes refusées' };
const FUNDER_KINDS: Record<string, string> = { state: 'État', departement: 'Département', region: 'Région', caf: 'CAF', municipality: 'Commune', other: 'Autre' };

@Controller('operateur')
@For('operator')
export class OperatorController {
  constructor(
    private readonly backend: BackendClient,
    private readonly renderer: Renderer,
  ) {}

  @Get()
  async home(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    const [funders, programs] = await Promise.all([
      this.backend.get<any[]>('funding', session.token, '/funders'),
      this.backend.get<any[]>('funding', session.token, '/programs'),
    ]);
    const names = new Map(funders.map((f) => [f.id, f.name]));
    this.renderer.page(response, session, 'Financeurs et programmes', html`<h1>Financeurs et programmes</h1>
      <h2 class="fr-h4">Programmes (${programs.length})</h2>
      ${table('Programmes ouverts et clos', ['Programme', 'Budget', 'Validité', 'Territoire', 'Financeurs', 'État'], programs.map(
        (p) => html`<tr><td><a href="/tableau-de-bord/programmes/${p.id}">${p.name}</a></td><td>${euros(p.budgetCents ?? 0)}</td><td>${date(p.validFrom)} – ${date(p.validUntil)}</td>
          <td>${(p.territory ?? []).join(', ')}</td><td>${(p.fundingLines ?? []).map((l: any) => `${names.get(l.funderId) ?? l.funderId} (${l.shareBasisPoints / 100} %)`).join(', ')}</td>
          <td>${p.status === 'closed' ? 'Clos' : 'Ouvert'}</td></tr>`,
      ))}
      <h2 class="fr-h4">Financeurs (${funders.length})</h2>
      ${table('Financeurs enregistrés', ['Nom', 'Type', 'SIRET', 'Enregistré le'], funders.map(
        (f) => html`<tr><td>${f.name}</td><td>${FUNDER_KINDS[f.kind] ?? f.kind}</td><td>${f.siret}</td><td>${dateTime(f.registeredAt)}</td></tr>`,
      ))}`);
  }

  @Get('lieux')
  async sites(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    await this.sitesPage(response, session);
  }

  @Post('lieux/import')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: 50 * 1024 * 1024 } }))
  async importSites(@CurrentSession() session: Session, @UploadedFile() file: { buffer: Buffer; size: number } | undefined, @Res() response: Response): Promise<void> {
    if (!file || file.size === 0) return this.sitesPage(response, session, html``, { file: 'Choisissez le fichier CSV des lieux à importer.' }, 422);
    try {
      const report = await this.backend.json<{ counts: Record<string, number>; rows: Array<{ row: number; outcome: string; errors?: string[] }> }>(
        'redemption',
        session.token,
        'POST',
        '/sites/import',
        file.buffer.toString('utf8'),
      );
      const failed = report.rows.filter((r) => r.errors && r.errors.length > 0).slice(0, 50);
      const counts = Object.entries(report.counts).map(([k, v]) => `${IMPORT_OUTCOMES[k] ?? k} : ${integer(v)}`).join(', ');
      await this.sitesPage(response, session, html`${alert(failed.length ? 'warning' : 'success', 'Import terminé', counts)}
        ${failed.length ? table('Lignes refusées (50 premières)', ['Ligne', 'Erreurs'], failed.map((r) => html`<tr><td>${r.row}</td><td>${(r.errors ?? []).join(' ; ')}</td></tr>`)) : ''}`);
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      await this.sitesPage(response, session, html``, { file: error.message }, error.status);
    }
  }

  @Post('lieux/:id/habilitation')
  async accredit(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Body() body: { validUntil?: string; reason?: string }, @Res() response: Response): Promise<void> {
    await this.decide(session, response, `/sites/${id}/accreditation`, { validUntil: body.validUntil, reason: body.reason?.trim() || 'Habilitation' }, 'Lieu habilité');
  }

  @Post('lieux/:id/decision/:decision')
  async decision(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Param('decision') decision: string, @Body() body: { reason?: string }, @Res() response: Response): Promise<void> {
    if (!(decision in DECISIONS)) return response.redirect(303, '/operateur/lieux');
    await this.decide(session, response, `/sites/${id}/${decision}`, { reason: body.reason?.trim() || DECISIONS[decision as keyof typeof DECISIONS] }, 'Décision enregistrée');
  }

  @Get('reglements')
  async settlements(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    await this.settlementsPage(response, session);
  }

  @Post('reglements')
  async settle(@CurrentSession() session: Session, @Body() body: { period?: string }, @Res() response: Response): Promise<void> {
    const period = body.period?.trim() ?? '';
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return this.settlementsPage(response, session, { period: 'Indiquez un mois au format AAAA-MM, par exemple 2026-10.' }, period, 422);
    try {
      const run = await this.backend.json<{ id: string; statements?: unknown[] }>('funding', session.token, 'POST', '/settlement-runs', { period });
      session.flash = { kind: 'success', title: `Règlement de ${period} lancé`, text: `${run.statements?.length ?? 0} relevé(s) émis.` };
      response.redirect(303, '/operateur/reglements');
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      await this.settlementsPage(response, session, { period: error.message }, period, error.status);
    }
  }

  @Get('reglements/:id/sepa')
  async sepa(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    sendBinary(response, await this.backend.binary('funding', session.token, `/settlement-runs/${id}/sepa`), `virements-${id}.xml`);
  }

  private async decide(session: Session, response: Response, path: string, body: object, done: string): Promise<void> {
    try {
      await this.backend.json('redemption', session.token, 'POST', path, body);
      session.flash = { kind: 'success', title: done };
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      session.flash = { kind: 'error', title: "La décision n'a pas été enregistrée", text: error.message };
    }
    response.redirect(303, '/operateur/lieux');
  }

  private async sitesPage(response: Response, session: Session, notice: Html = html``, errors: Record<string, string> = {}, status = 200): Promise<void> {
    const sites = await this.backend.get<any[]>('redemption', session.token, '/sites');
    const nextYear = `${new Date().getUTCFullYear() + 1}-12-31`;
    const actions = (s: any) => html`${s.status === 'pending' || s.status === 'accredited'
      ? form(`/operateur/lieux/${s.id}/habilitation`, session.csrf, html`<div class="pn-inline-form">
          ${input({ id: `until-${s.id}`, name: 'validUntil', type: 'date', label: `Habiliter ${s.name} jusqu'au`, value: s.accreditedUntil ?? nextYear, required: true })}
          <input type="hidden" name="reason" value="Habilitation par l'opérateur">
          <button class="fr-btn fr-btn--sm" type="submit">${s.status === 'pending' ? 'Habiliter' : 'Prolonger'}</button></div>`)
      : ''}
      ${(ALLOWED[s.status] ?? []).map((d) => form(`/operateur/lieux/${s.id}/decision/${d}`, session.csrf, html`<div class="pn-inline-form">
          ${input({ id: `${d}-${s.id}`, name: 'reason', label: `Motif (${DECISIONS[d].toLowerCase()} ${s.name})`, required: true })}
          <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">${DECISIONS[d]}</button></div>`))}`;
    this.renderer.page(response, session, 'Lieux de médiation', html`<h1>Lieux de médiation</h1>${notice}
      <h2 class="fr-h4">Importer le fichier national</h2>
      <form method="post" action="/operateur/lieux/import?_csrf=${encodeURIComponent(session.csrf)}" enctype="multipart/form-data">
        <div class="fr-upload-group${errors.file ? ' fr-input-group--error' : ''}">
          <label class="fr-label" for="field-file">Fichier CSV « Lieux de médiation numérique »<span class="fr-hint-text" id="field-file-hint">Format national, séparateur virgule. Les lieux importés restent en attente tant qu'ils n'ont pas de RIB.</span></label>
          <input class="fr-upload" type="file" id="field-file" name="file" accept=".csv,text/csv" aria-describedby="field-file-hint${errors.file ? ' field-file-error' : ''}" ${errors.file ? html`aria-invalid="true"` : ''}>
          ${errors.file ? html`<p class="fr-error-text" id="field-file-error">${errors.file}</p>` : ''}
        </div>
        <button class="fr-btn fr-mt-2w" type="submit">Importer</button>
      </form>
      <h2 class="fr-h4 fr-mt-4w">Registre (${sites.length})</h2>
      ${table('Lieux enregistrés', ['Lieu', 'Commune', 'État', 'Habilité jusqu’au', 'RIB', 'Actions'], sites.map(
        (s) => html`<tr><td>${s.name}<br><small>${s.siret ? `SIRET ${s.siret}` : s.rna ? `RNA ${s.rna}` : ''}</small></td><td>${s.postalCode} (${s.departement})</td>
          <td><span class="fr-badge fr-badge--sm fr-badge--${BADGE[s.status] ?? 'info'}">${SITE_STATUS_LABELS[s.status] ?? s.status}</span></td>
          <td>${s.accreditedUntil ? date(s.accreditedUntil) : '—'}</td><td>${s.iban ? 'Oui' : 'Non'}</td><td>${actions(s)}</td></tr>`,
      ))}`, { status });
  }

  private async settlementsPage(response: Response, session: Session, errors: Record<string, string> = {}, period = '', status = 200): Promise<void> {
    const runs = await this.backend.get<any[]>('funding', session.token, '/settlement-runs');
    this.renderer.page(response, session, 'Règlements', html`<h1>Règlements des lieux</h1>
      ${errors.period ? alert('error', "Le règlement n'a pas été lancé", errors.period, 'form-errors') : ''}
      ${form('/operateur/reglements', session.csrf, html`<div class="pn-inline-form">
        ${input({ name: 'period', type: 'month', label: 'Mois à régler', hint: 'Un mois terminé, au format AAAA-MM', value: period, errors, required: true, attributes: html`pattern="\\d{4}-\\d{2}" placeholder="AAAA-MM"` })}
        <button class="fr-btn" type="submit">Lancer le règlement</button></div>`)}
      <h2 class="fr-h4 fr-mt-4w">Règlements effectués (${runs.length})</h2>
      ${runs.length === 0 ? html`<p>Aucun règlement pour l'instant.</p>` : table('Règlements, du plus récent au plus ancien', ['Mois', 'Lancé le', 'État', 'Fichier de virements'], runs.map(
        (r) => html`<tr id="run-${r.period}"><td>${r.period}</td><td>${dateTime(r.createdAt)}</td><td>${r.status === 'paid' ? `Payé le ${dateTime(r.paidAt)}` : 'Émis, en attente de paiement'}</td>
          <td><a class="fr-link fr-icon-download-line fr-link--icon-left" href="/operateur/reglements/${r.id}/sepa" download>SEPA (pain.001)</a></td></tr>`,
      ))}`, { status });
  }
}
