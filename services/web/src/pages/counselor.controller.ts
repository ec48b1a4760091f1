import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AGE_BANDS, DIAGNOSTIC_LEVELS, SITUATIONS, VOID_REASONS } from '@app/contracts';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { alert, FieldErrors, form, input, radios, select } from '../views/forms';
import { dateTime, date, euros, html, integer } from '../views/html';
import { AGE_BAND_LABELS, BADGE, BOOKLET_STATUS_LABELS, DIAGNOSTIC_LABELS, PASS_STATUS_LABELS, SITUATION_LABELS, VOID_REASON_LABELS } from '../views/labels';
import { Renderer } from '../views/render';
import { sendBinary } from './proxy';

interface Allocation {
  programId: string;
  programName: string;
  programStatus: string;
  validUntil: string;
  faceValueCents: number;
  bookletSize: number;
  balanceCents: number;
  remainingBooklets: number;
}

type IssueForm = { programId?: string; ageBand?: string; situation?: string; diagnosticLevel?: string };

const PROGRAM_CODES = ['PROGRAM_NOT_FOUND', 'PROGRAM_CLOSED', 'PROGRAM_NOT_YET_VALID', 'PROGRAM_EXPIRED', 'NO_ALLOCATION', 'ALLOCATION_EXHAUSTED'];

@Controller('conseiller')
@For('counselor')
export class CounselorController {
  constructor(
    private readonly backend: BackendClient,
    private readonly renderer: Renderer,
  ) {}

  @Get()
  async home(@CurrentSession() session: Session, @Query('page') pageParam: string | undefined, @Res() response: Response): Promise<void> {
    const page = Math.max(1, Number(pageParam) || 1);
    const [allocations, booklets] = await Promise.all([
      this.backend.get<Allocation[]>('issuance', session.token, '/allocations'),
      this.backend.get<{ items: any[]; total: number; pageSize: number }>('issuance', session.token, `/booklets?page=${page}&pageSize=20`),
    ]);
    const pages = Math.max(1, Math.ceil(booklets.total / booklets.pageSize));
    this.renderer.page(response, session, 'Carnets', html`<h1>Carnets de ${session.orgName ?? 'la structure'}</h1>
      <h2 class="fr-h4">Enveloppes disponibles</h2>
      ${allocations.length === 0 ? html`<p>Aucune enveloppe n'a été attribuée à votre structure.</p>` : html`<div class="fr-table fr-table--no-caption"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content"><table>
        <caption>Enveloppes par programme</caption>
        <thead><tr><th scope="col">Programme</th><th scope="col">Solde</th><th scope="col">Carnets restants</th><th scope="col">Valable jusqu'au</th></tr></thead>
        <tbody>${allocations.map((a) => html`<tr><td>${a.programName}</td><td>${euros(a.balanceCents)}</td><td>${integer(a.remainingBooklets)}</td><td>${date(a.validUntil)}</td></tr>`)}</tbody>
      </table></div></div></div></div>`}
      <p><a class="fr-btn fr-icon-add-line fr-btn--icon-left" href="/conseiller/carnets/nouveau">Délivrer un carnet</a></p>
      <h2 class="fr-h4">Carnets délivrés (${integer(booklets.total)})</h2>
      ${booklets.items.length === 0 ? html`<p>Aucun carnet délivré pour l'instant.</p>` : html`<div class="fr-table fr-table--no-caption"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content"><table>
        <caption>Carnets délivrés, du plus récent au plus ancien</caption>
        <thead><tr><th scope="col">Référence</th><th scope="col">Programme</th><th scope="col">Délivré le</th><th scope="col">État</th><th scope="col">Pass utilisés</th><th scope="col">Pass annulés</th></tr></thead>
        <tbody>${booklets.items.map(
          (b) => html`<tr><td><a href="/conseiller/carnets/${b.id}">${b.beneficiary.beneficiaryRef}</a></td><td>${b.programName}</td><td>${dateTime(b.issuedAt)}</td>
            <td><span class="fr-badge fr-badge--sm fr-badge--${BADGE[b.status] ?? 'info'}">${BOOKLET_STATUS_LABELS[b.status] ?? b.status}</span></td>
            <td>${b.passesRedeemed} / ${b.passesIssued}</td><td>${b.passesVoided}</td></tr>`,
        )}</tbody></table></div></div></div></div>
        ${pages > 1 ? html`<nav class="fr-pagination" aria-label="Pagination"><ul class="fr-pagination__list">
          ${Array.from({ length: pages }, (_, i) => i + 1).map((p) => html`<li><a class="fr-pagination__link" href="/conseiller?page=${p}" ${p === page ? html`aria-current="page"` : ''}>${p}</a></li>`)}
        </ul></nav>` : ''}`}`);
  }

  @Get('carnets/nouveau')
  async newBooklet(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    await this.issueForm(response, session, {}, {});
  }

  @Post('carnets')
  async issue(@CurrentSession() session: Session, @Body() body: IssueForm, @Res() response: Response): Promise<void> {
    const errors: FieldErrors = {};
    if (!body.programId) errors.programId = 'Choisissez le programme du carnet.';
    if (!body.situation || !(SITUATIONS as readonly string[]).includes(body.situation)) errors.situation = 'Indiquez la situation de la personne.';
    if (!body.diagnosticLevel || !(DIAGNOSTIC_LEVELS as readonly string[]).includes(body.diagnosticLevel)) errors.diagnosticLevel = 'Indiquez le niveau du diagnostic.';
    if (body.ageBand && !(AGE_BANDS as readonly string[]).includes(body.ageBand)) errors.ageBand = "Choisissez une tranche d'âge de la liste.";
    if (Object.keys(errors).length > 0) return this.issueForm(response, session, body, errors);
    try {
      const booklet = await this.backend.json<{ id: string; passes: unknown[]; totalCents: number }>('issuance', session.token, 'POST', '/booklets', {
        programId: body.programId,
        beneficiary: { ...(body.ageBand ? { ageBand: body.ageBand } : {}), situation: body.situation, diagnosticLevel: body.diagnosticLevel },
      });
      session.flash = { kind: 'success', title: 'Carnet délivré', text: `${booklet.passes.length} pass pour ${euros(booklet.totalCents)}. Imprimez-le et remettez-le à la personne.` };
      response.redirect(303, `/conseiller/carnets/${booklet.id}`);
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      const field = PROGRAM_CODES.includes(error.code) ? 'programId' : 'form';
      await this.issueForm(response, session, body, { [field]: error.message }, 422);
    }
  }

  @Get('carnets/:id')
  async booklet(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const b = await this.backend.get('issuance', session.token, `/booklets/${id}`);
    const voidable = (p: any) => p.status === 'issued' && p.voidRequest?.status !== 'pending';
    this.renderer.page(response, session, `Carnet ${b.beneficiary.beneficiaryRef}`, html`<h1>Carnet ${b.beneficiary.beneficiaryRef}</h1>
      <ul class="fr-badges-group"><li><span class="fr-badge fr-badge--${BADGE[b.status] ?? 'info'}">${BOOKLET_STATUS_LABELS[b.status] ?? b.status}</span></li></ul>
      <p>${b.programName} — ${euros(b.totalCents)} — délivré le ${dateTime(b.issuedAt)}.<br>
      Profil : ${b.beneficiary.ageBand ? AGE_BAND_LABELS[b.beneficiary.ageBand] : 'âge non renseigné'}, ${SITUATION_LABELS[b.beneficiary.situation]}, ${DIAGNOSTIC_LABELS[b.beneficiary.diagnosticLevel]}.</p>
      <p><a class="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left" id="booklet-pdf" href="/conseiller/carnets/${b.id}/pdf" download>Télécharger le carnet à imprimer (PDF)</a></p>
      <div class="fr-table fr-table--no-caption"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content"><table>
        <caption>Pass du carnet</caption>
        <thead><tr><th scope="col">N°</th><th scope="col">Montant</th><th scope="col">État</th><th scope="col">Annulation</th></tr></thead>
        <tbody>${b.passes.map(
          (p: any) => html`<tr><td>${p.position}</td><td>${euros(p.amountCents)}</td>
          <td><span class="fr-badge fr-badge--sm fr-badge--${BADGE[p.status] ?? 'info'}">${PASS_STATUS_LABELS[p.status] ?? p.status}</span>
            ${p.voidRequest?.status === 'pending' ? html` <span class="fr-badge fr-badge--sm fr-badge--new">Annulation demandée</span>` : ''}
            ${p.voidRequest?.status === 'rejected' ? html`<br><small>Annulation refusée${p.voidRequest.rejectionReason ? ` : ${p.voidRequest.rejectionReason}` : ''}</small>` : ''}</td>
          <td>${voidable(p) ? html`<details><summary>Demander l'annulation du pass n° ${p.position}</summary>${form(`/conseiller/pass/${p.id}/annulation`, session.csrf, html`<input type="hidden" name="bookletId" value="${b.id}">
            <div class="pn-inline-form">${select({ id: `reason-${p.position}`, name: 'reason', label: `Motif d'annulation du pass n° ${p.position}`, options: VOID_REASONS.map((r) => [r, VOID_REASON_LABELS[r]]), required: true })}
            ${input({ id: `comment-${p.position}`, name: 'comment', label: 'Commentaire (facultatif)' })}
            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Annuler le pass n° ${p.position}</button></div>`)}</details>` : '—'}</td></tr>`,
        )}</tbody></table></div></div></div></div>
      <p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/conseiller">Retour aux carnets</a></p>`);
  }

  @Get('carnets/:id/pdf')
  async pdf(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    sendBinary(response, await this.backend.binary('issuance', session.token, `/booklets/${id}/pdf`), `carnet-${id}.pdf`);
  }

  @Post('pass/:id/annulation')
  async voidPass(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Body() body: { reason?: string; comment?: string; bookletId?: string }, @Res() response: Response): Promise<void> {
    const back = /^[0-9a-f-]{36}$/.test(body.bookletId ?? '') ? `/conseiller/carnets/${body.bookletId}` : '/conseiller';
    try {
      await this.backend.json('issuance', session.token, 'POST', `/passes/${id}/void`, { reason: body.reason, ...(body.comment?.trim() ? { comment: body.comment.trim() } : {}) });
      session.flash = { kind: 'success', title: "Demande d'annulation envoyée", text: 'Le pass sera annulé dès que le service de validation aura confirmé qu’il n’a pas été utilisé.' };
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      session.flash = { kind: 'error', title: "L'annulation n'a pas été enregistrée", text: error.message };
    }
    response.redirect(303, back);
  }

  private async issueForm(response: Response, session: Session, values: IssueForm, errors: FieldErrors, status = 200): Promise<void> {
    const allocations = (await this.backend.get<Allocation[]>('issuance', session.token, '/allocations')).filter((a) => a.programStatus === 'open');
    const title = 'Délivrer un carnet';
    this.renderer.page(
      response,
      session,
      title,
      html`<h1>${title}</h1>
      ${Object.keys(errors).length ? alert('error', 'Le carnet n’a pas été délivré', errors.form ?? 'Corrigez les champs signalés ci-dessous.', 'form-errors') : ''}
      <p>Aucune information nominative n'est demandée : le carnet porte une référence anonyme.</p>
      ${form('/conseiller/carnets', session.csrf, html`
        ${allocations.length === 0 ? alert('warning', 'Aucune enveloppe disponible', "Votre structure n'a pas d'enveloppe ouverte : contactez le financeur.") : radios({
          name: 'programId',
          legend: 'Programme',
          label: '',
          value: values.programId,
          errors,
          required: true,
          options: allocations.map((a) => [a.programId, html`${a.programName}<span class="fr-hint-text">Reste ${euros(a.balanceCents)}, soit ${integer(a.remainingBooklets)} carnet(s) de ${a.bookletSize} pass de ${euros(a.faceValueCents)}</span>`]),
        })}
        ${select({ name: 'ageBand', label: "Tranche d'âge (facultatif)", value: values.ageBand, errors, placeholder: 'Non renseignée', options: AGE_BANDS.map((a) => [a, AGE_BAND_LABELS[a]]) })}
        ${select({ name: 'situation', label: 'Situation', value: values.situation, errors, required: true, placeholder: 'Choisir une situation', options: SITUATIONS.map((s) => [s, SITUATION_LABELS[s]]) })}
        ${select({ name: 'diagnosticLevel', label: 'Niveau du diagnostic', hint: "L'autonomie numérique constatée lors du diagnostic", value: values.diagnosticLevel, errors, required: true, placeholder: 'Choisir un niveau', options: DIAGNOSTIC_LEVELS.map((d) => [d, DIAGNOSTIC_LABELS[d]]) })}
        <button class="fr-btn" type="submit" ${allocations.length === 0 ? html`disabled` : ''}>Délivrer le carnet</button>`, html`novalidate`)}`,
      { status },
    );
  }
}
