import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Logger, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { formatPassCode, parsePassCode } from '@app/pass-codes';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { alert, FieldErrors, form, input } from '../views/forms';
import { dateTime, euros, html } from '../views/html';
import { Renderer } from '../views/render';

const MAX_CODES = 10;
const TYPO = {
  format: 'Le code doit comporter 17 caractères, lettres et chiffres (exemple : K7QM-3XTA-9HWP-2DRC-X).',
  check: 'Ce code contient une faute de frappe : vérifiez chaque caractère.',
};

type RedeemForm = { codes?: string | string[]; action?: string; idempotencyKey?: string };

/** One of the site's redemptions as the redemption service lists them (GET /redemptions). */
interface SiteRedemption {
  redemptionId: string;
  redeemedAt: string;
  totalCents: number;
  passCount: number;
  cancelledAt: string | null;
  cancellableUntil: string | null;
}

@Controller('lieu')
@For('site')
export class SiteController {
  private readonly logger = new Logger(SiteController.name);

  constructor(
    private readonly backend: BackendClient,
    private readonly renderer: Renderer,
  ) {}

  @Get()
  page(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    return this.redeemPage(response, session, [''], {});
  }

  @Post('validation')
  async redeem(@CurrentSession() session: Session, @Body() body: RedeemForm, @Res() response: Response): Promise<void> {
    const typed = ([] as string[]).concat(body.codes ?? []).slice(0, MAX_CODES).map((c) => String(c));
    if (body.action === 'add') return this.redeemPage(response, session, typed.length < MAX_CODES ? [...typed, ''] : typed, {}, body.idempotencyKey);

    // Checked here too (the page may run without its script): a typo never reaches the service, so it never counts as a guess.
    const errors: FieldErrors = {};
    const canonical: string[] = [];
    typed.forEach((code, i) => {
      if (!code.trim()) return;
      const parsed = parsePassCode(code);
      if (parsed.valid) canonical.push(parsed.canonical);
      else errors[`code-${i}`] = TYPO[parsed.reason];
    });
    if (canonical.length === 0 && Object.keys(errors).length === 0) errors['code-0'] = 'Saisissez le code du pass.';
    if (Object.keys(errors).length > 0) return this.redeemPage(response, session, typed, errors, body.idempotencyKey, 422);

    const positions = typed.flatMap((code, i) => (code.trim() ? [i] : []));
    try {
      const redemption = await this.backend.json<{ redemptionId: string; redeemedAt: string; totalCents: number; passes: unknown[] }>(
        'redemption',
        session.token,
        'POST',
        '/redemptions',
        { codes: canonical },
        // The key rendered with the form: a double submission gets the first answer, never a second redemption.
        { 'Idempotency-Key': /^[0-9a-f-]{36}$/.test(body.idempotencyKey ?? '') ? body.idempotencyKey! : randomUUID() },
      );
      // The code ends shown beside the redemption: the service keeps only the codes' hashes.
      session.recentRedemptions = [
        { redemptionId: redemption.redemptionId, redeemedAt: redemption.redeemedAt, totalCents: redemption.totalCents, codeEnds: canonical.map((c) => c.slice(-4)) },
        ...session.recentRedemptions.filter((r) => r.redemptionId !== redemption.redemptionId),
      ].slice(0, 50);
      const n = redemption.passes.length;
      session.flash = { kind: 'success', title: n > 1 ? `${n} pass validés` : 'Pass validé', text: `${euros(redemption.totalCents)} seront versés à votre lieu.` };
      response.redirect(303, '/lieu');
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      const perCode = (error.details?.codes as Array<{ position: number; message: string }> | undefined) ?? [];
      const fieldErrors: FieldErrors = {};
      for (const refusal of perCode) fieldErrors[`code-${positions[refusal.position]}`] = refusal.message;
      if (perCode.length === 0) fieldErrors.form = error.message;
      await this.redeemPage(response, session, typed, fieldErrors, undefined, error.status, error.message);
    }
  }

  @Post('validations/:id/annulation')
  async cancel(@CurrentSession() session: Session, @Param('id', ParseUUIDPipe) id: string, @Body() body: { reason?: string }, @Res() response: Response): Promise<void> {
    const reason = body.reason?.trim() || 'Annulée par le lieu';
    try {
      await this.backend.json('redemption', session.token, 'POST', `/redemptions/${id}/cancellation`, { reason });
      session.flash = { kind: 'success', title: 'Validation annulée', text: 'Les pass sont de nouveau utilisables.' };
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      session.flash = { kind: 'error', title: "L'annulation n'a pas été enregistrée", text: error.message };
    }
    response.redirect(303, '/lieu');
  }

  /** The site's redemptions of the last 24 hours, whoever made them and from wherever; null if the service does not answer. */
  private async lastDay(session: Session): Promise<SiteRedemption[] | null> {
    try {
      return (await this.backend.json<{ items: SiteRedemption[] }>('redemption', session.token, 'GET', '/redemptions?pageSize=100')).items;
    } catch (error) {
      this.logger.warn(`The site's redemptions could not be listed: ${(error as Error).message}`);
      return null;
    }
  }

  private async redeemPage(response: Response, session: Session, codes: string[], errors: FieldErrors, key: string = randomUUID(), status = 200, refusal?: string): Promise<void> {
    const recent = await this.lastDay(session);
    const typed = new Map(session.recentRedemptions.map((r) => [r.redemptionId, r.codeEnds]));
    const passes = (r: SiteRedemption) => {
      const ends = typed.get(r.redemptionId);
      return ends ? `pass finissant par ${ends.join(', ')}` : r.passCount > 1 ? `${r.passCount} pass` : '1 pass';
    };
    const fields = (codes.length ? codes : ['']).map((code, i) =>
      input({
        id: `code-${i}`,
        name: 'codes',
        label: codes.length > 1 ? `Code du pass n° ${i + 1}` : 'Code du pass',
        hint: '17 caractères imprimés sous le QR code, par exemple K7QM-3XTA-9HWP-2DRC-X',
        value: parsePassCode(code).valid ? formatPassCode(code.toUpperCase().replace(/[\s-]/g, '')) : code,
        errors: { codes: errors[`code-${i}`] }, // one field name for all, one error each
        inputClass: 'pn-pass-code',
        attributes: html`autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text" maxlength="24"`,
      }),
    );
    this.renderer.page(
      response,
      session,
      'Valider des pass',
      html`<h1>Valider des pass</h1>
      ${refusal ? alert('error', 'Validation refusée', refusal, 'refusal') : Object.keys(errors).length ? alert('error', 'Vérifiez les codes', 'Un ou plusieurs codes ne sont pas valides.', 'refusal') : ''}
      <p>Une personne peut utiliser plusieurs pass pour une même séance : ajoutez un champ par pass (jusqu'à ${MAX_CODES}).</p>
      ${form('/lieu/validation', session.csrf, html`<input type="hidden" name="idempotencyKey" value="${key}">
        ${fields}
        <div class="fr-mb-2w"><button type="button" class="fr-btn fr-btn--tertiary fr-icon-qr-code-line fr-btn--icon-left" id="scan-button" hidden>Scanner un QR code</button>
          <p class="fr-hint-text" id="scan-unavailable">La lecture du QR code par la caméra n'est pas disponible dans ce navigateur : saisissez le code.</p>
          <video id="scan-video" hidden muted playsinline></video></div>
        <ul class="fr-btns-group fr-btns-group--inline-md">
          <li><button class="fr-btn" type="submit" name="action" value="redeem">Valider</button></li>
          ${codes.length < MAX_CODES ? html`<li><button class="fr-btn fr-btn--secondary" type="submit" name="action" value="add" formnovalidate>Ajouter un autre pass</button></li>` : ''}
        </ul>`, html`id="redeem-form" novalidate`)}
      <h2 class="fr-h4 fr-mt-4w">Validations des dernières 24 heures</h2>
      ${recent === null
        ? html`<p>La liste des validations est momentanément indisponible : réessayez dans quelques instants.</p>`
        : recent.length === 0
          ? html`<p>Aucune validation par votre lieu depuis 24 heures.</p>`
          : html`<ul class="fr-raw-list" id="recent-redemptions">${recent.map(
              (r) => html`<li class="fr-mb-2w"><p class="fr-mb-1v"><strong>${euros(r.totalCents)}</strong> le ${dateTime(r.redeemedAt)} — ${passes(r)}
          ${r.cancelledAt ? html` <span class="fr-badge fr-badge--sm fr-badge--warning">Annulée</span>` : ''}</p>
          ${r.cancellableUntil === null ? '' : form(`/lieu/validations/${r.redemptionId}/annulation`, session.csrf, html`<div class="pn-inline-form">
            ${input({ id: `reason-${r.redemptionId}`, name: 'reason', label: `Motif de l'annulation (validation de ${dateTime(r.redeemedAt)})`, value: 'Erreur de saisie' })}
            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Annuler cette validation</button></div>`)}</li>`,
            )}</ul>
      <p class="fr-hint-text">Toutes les validations de votre lieu, faites depuis n'importe quel poste ; une validation peut être annulée pendant 24 heures.</p>`}`,
      { status, scripts: ['/assets/pass-code.js', '/assets/redeem.js'] },
    );
  }
}
