import { formatPassCode, parsePassCode } from '@app/pass-codes';
import type { RecentRedemption } from '../../session/session.store';
import type { FieldErrors } from '../forms';
import { alert, form, input } from '../forms';
import type { Html } from '../html';
import { dateTime, euros, html } from '../html';
import type { PageView } from '../layout';

const SCAN_UNAVAILABLE =
  "La lecture du QR code par la caméra n'est pas disponible dans ce navigateur : saisissez le code.";
const RECENT_HINT =
  "Toutes les validations de votre lieu, faites depuis n'importe quel poste ; " +
  'une validation peut être annulée pendant 24 heures.';

/** One of the site's redemptions as the redemption service lists them (GET /redemptions). */
export interface SiteRedemption {
  redemptionId: string;
  redeemedAt: string;
  totalCents: number;
  passCount: number;
  cancelledAt: string | null;
  cancellableUntil: string | null;
}

export interface SiteRedeemModel {
  csrf: string;
  /** The codes as typed, one field each. */
  codes: string[];
  /** By field: `code-<index of the field>`. */
  errors: FieldErrors;
  /** Sent back with the form, so that a double submission redeems once. */
  idempotencyKey: string;
  /** The service's refusal of the whole redemption, if any. */
  refusal?: string;
  maxCodes: number;
  /** The site's redemptions of the last 24 hours; null if the service did not answer. */
  recent: SiteRedemption[] | null;
  /** The redemptions made in this session, whose code ends are known. */
  typedHere: RecentRedemption[];
}

/** Redeeming passes by their codes (typed or scanned), and the site's redemptions of the last 24 hours. */
export function siteRedeemView(model: SiteRedeemModel): PageView {
  const { csrf, codes, errors, refusal, maxCodes } = model;
  const fields = (codes.length ? codes : ['']).map((code, i) =>
    input({
      id: `code-${i}`,
      name: 'codes',
      label: codes.length > 1 ? `Code du pass n° ${i + 1}` : 'Code du pass',
      hint: '17 caractères imprimés sous le QR code, par exemple K7QM-3XTA-9HWP-2DRC-X',
      value: parsePassCode(code).valid ? formatPassCode(code.toUpperCase().replace(/[\s-]/g, '')) : code,
      errors: { codes: errors[`code-${i}`] }, // one field name for all, one error each
      inputClass: 'pn-pass-code',
      attributes: html`autocomplete="off" autocapitalize="characters" spellcheck="false"
        inputmode="text" maxlength="24"`,
    }),
  );
  const summary = refusal
    ? alert('error', 'Validation refusée', refusal, 'refusal')
    : Object.keys(errors).length
      ? alert('error', 'Vérifiez les codes', 'Un ou plusieurs codes ne sont pas valides.', 'refusal')
      : '';
  return {
    title: 'Valider des pass',
    body: html`<h1>Valider des pass</h1>
      ${summary}
      <p>Une personne peut utiliser plusieurs pass pour une même séance : ajoutez un champ par pass (jusqu'à ${maxCodes}).</p>
      ${form(
        '/lieu/validation',
        csrf,
        html`<input type="hidden" name="idempotencyKey" value="${model.idempotencyKey}">
        ${fields}
        <div class="fr-mb-2w"><button type="button" class="fr-btn fr-btn--tertiary fr-icon-qr-code-line fr-btn--icon-left"
          id="scan-button" hidden>Scanner un QR code</button>
          <p class="fr-hint-text" id="scan-unavailable">${SCAN_UNAVAILABLE}</p>
          <video id="scan-video" hidden muted playsinline></video></div>
        <ul class="fr-btns-group fr-btns-group--inline-md">
          <li><button class="fr-btn" type="submit" name="action" value="redeem">Valider</button></li>
          ${
            codes.length < maxCodes
              ? html`<li><button class="fr-btn fr-btn--secondary" type="submit" name="action" value="add"
              formnovalidate>Ajouter un autre pass</button></li>`
              : ''
          }
        </ul>`,
        html`id="redeem-form" novalidate`,
      )}
      <h2 class="fr-h4 fr-mt-4w">Validations des dernières 24 heures</h2>
      ${recentRedemptions(model)}`,
    scripts: ['/assets/pass-code.js', '/assets/redeem.js'],
  };
}

function recentRedemptions({ csrf, recent, typedHere }: SiteRedeemModel): Html {
  if (recent === null) {
    return html`<p>La liste des validations est momentanément indisponible : réessayez dans quelques instants.</p>`;
  }
  if (recent.length === 0) return html`<p>Aucune validation par votre lieu depuis 24 heures.</p>`;
  const typed = new Map(typedHere.map((r) => [r.redemptionId, r.codeEnds]));
  const when = (r: SiteRedemption) => {
    const ends = typed.get(r.redemptionId);
    const passes = ends ? `pass finissant par ${ends.join(', ')}` : r.passCount > 1 ? `${r.passCount} pass` : '1 pass';
    return `le ${dateTime(r.redeemedAt)} — ${passes}`;
  };
  return html`<ul class="fr-raw-list" id="recent-redemptions">${recent.map(
    (r) => html`<li class="fr-mb-2w"><p class="fr-mb-1v"><strong>${euros(r.totalCents)}</strong> ${when(r)}
          ${r.cancelledAt ? html` <span class="fr-badge fr-badge--sm fr-badge--warning">Annulée</span>` : ''}</p>
          ${r.cancellableUntil === null ? '' : cancelForm(csrf, r)}</li>`,
  )}</ul>
      <p class="fr-hint-text">${RECENT_HINT}</p>`;
}

function cancelForm(csrf: string, r: SiteRedemption): Html {
  return form(
    `/lieu/validations/${r.redemptionId}/annulation`,
    csrf,
    html`<div class="pn-inline-form">
            ${input({
              id: `reason-${r.redemptionId}`,
              name: 'reason',
              label: `Motif de l'annulation (validation de ${dateTime(r.redeemedAt)})`,
              value: 'Erreur de saisie',
            })}
            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Annuler cette validation</button></div>`,
  );
}
