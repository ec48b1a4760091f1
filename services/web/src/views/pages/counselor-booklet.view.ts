import { VOID_REASONS } from '@app/contracts';
import { statusBadge } from '../badge';
import { form, input, select } from '../forms';
import type { Html } from '../html';
import { dateTime, euros, html } from '../html';
import {
  AGE_BAND_LABELS,
  BOOKLET_STATUS_LABELS,
  DIAGNOSTIC_LABELS,
  PASS_STATUS_LABELS,
  SITUATION_LABELS,
  VOID_REASON_LABELS,
} from '../labels';
import type { PageView } from '../layout';
import { table } from '../table';

/** A pass of a booklet, with the counselor's request to void it if any. */
export interface BookletPass {
  id: string;
  position: number;
  amountCents: number;
  status: string;
  voidRequest?: { status: string; rejectionReason?: string | null } | null;
}

/** A booklet as issuance shows it (GET /booklets/:id). */
export interface Booklet {
  id: string;
  status: string;
  programName: string;
  totalCents: number;
  issuedAt: string;
  beneficiary: { beneficiaryRef: string; ageBand?: string | null; situation: string; diagnosticLevel: string };
  passes: BookletPass[];
}

export interface CounselorBookletModel {
  csrf: string;
  booklet: Booklet;
}

/** A booklet, its printable PDF and its passes, each with a form to ask for its voiding while it can be. */
export function counselorBookletView({ csrf, booklet: b }: CounselorBookletModel): PageView {
  const { beneficiaryRef, ageBand, situation, diagnosticLevel } = b.beneficiary;
  const age = ageBand ? AGE_BAND_LABELS[ageBand] : 'âge non renseigné';
  const profile = [age, SITUATION_LABELS[situation], DIAGNOSTIC_LABELS[diagnosticLevel]];
  return {
    title: `Carnet ${beneficiaryRef}`,
    body: html`<h1>Carnet ${beneficiaryRef}</h1>
      <ul class="fr-badges-group"><li>${statusBadge(b.status, BOOKLET_STATUS_LABELS, 'md')}</li></ul>
      <p>${b.programName} — ${euros(b.totalCents)} — délivré le ${dateTime(b.issuedAt)}.<br>
      Profil : ${profile.join(', ')}.</p>
      <p><a class="fr-btn fr-btn--secondary fr-icon-download-line fr-btn--icon-left" id="booklet-pdf"
        href="/conseiller/carnets/${b.id}/pdf" download>Télécharger le carnet à imprimer (PDF)</a></p>
      ${table(
        'Pass du carnet',
        ['N°', 'Montant', 'État', 'Annulation'],
        b.passes.map((p) => passRow(csrf, b.id, p)),
      )}
      <p><a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href="/conseiller">Retour aux carnets</a></p>`,
  };
}

function passRow(csrf: string, bookletId: string, p: BookletPass): Html {
  const request = p.voidRequest?.status;
  const rejection = p.voidRequest?.rejectionReason;
  return html`<tr><td>${p.position}</td><td>${euros(p.amountCents)}</td>
    <td>${statusBadge(p.status, PASS_STATUS_LABELS)}
      ${
        request === 'pending' ? html` <span class="fr-badge fr-badge--sm fr-badge--new">Annulation demandée</span>` : ''
      }
      ${
        request === 'rejected' ? html`<br><small>Annulation refusée${rejection ? ` : ${rejection}` : ''}</small>` : ''
      }</td>
    <td>${voidable(p) ? voidForm(csrf, bookletId, p.id, p.position) : '—'}</td></tr>`;
}

/** Voiding can be asked for an unused pass, once at a time. */
function voidable(p: BookletPass): boolean {
  return p.status === 'issued' && p.voidRequest?.status !== 'pending';
}

function voidForm(csrf: string, bookletId: string, passId: string, position: number): Html {
  const fields = html`<input type="hidden" name="bookletId" value="${bookletId}">
    <div class="pn-inline-form">${select({
      id: `reason-${position}`,
      name: 'reason',
      label: `Motif d'annulation du pass n° ${position}`,
      options: VOID_REASONS.map((r) => [r, VOID_REASON_LABELS[r]]),
      required: true,
    })}
    ${input({ id: `comment-${position}`, name: 'comment', label: 'Commentaire (facultatif)' })}
    <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Annuler le pass n° ${position}</button></div>`;
  const action = `/conseiller/pass/${passId}/annulation`;
  return html`<details><summary>Demander l'annulation du pass n° ${position}</summary>${form(action, csrf, fields)}</details>`;
}
