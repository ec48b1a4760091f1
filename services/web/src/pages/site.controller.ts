import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Logger, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parsePassCode } from '@app/pass-codes';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { FieldErrors } from '../views/forms';
import { euros } from '../views/html';
import { SiteRedemption, siteRedeemView } from '../views/pages/site-redeem.view';
import { Renderer } from '../views/render';

const MAX_CODES = 10;
const TYPO = {
  format: 'Le code doit comporter 17 caractères, lettres et chiffres (exemple : K7QM-3XTA-9HWP-2DRC-X).',
  check: 'Ce code contient une faute de frappe : vérifiez chaque caractère.',
};

type RedeemForm = { codes?: string | string[]; action?: string; idempotencyKey?: string };
type Redemption = { redemptionId: string; redeemedAt: string; totalCents: number; passes: unknown[] };

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
    const typed = ([] as string[])
      .concat(body.codes ?? [])
      .slice(0, MAX_CODES)
      .map((c) => String(c));
    if (body.action === 'add') {
      const codes = typed.length < MAX_CODES ? [...typed, ''] : typed;
      return this.redeemPage(response, session, codes, {}, body.idempotencyKey);
    }

    // Checked here too (the page may run without its script): a typo never reaches the service,
    // so it never counts as a guess.
    const errors: FieldErrors = {};
    const canonical: string[] = [];
    typed.forEach((code, i) => {
      if (!code.trim()) return;
      const parsed = parsePassCode(code);
      if (parsed.valid) canonical.push(parsed.canonical);
      else errors[`code-${i}`] = TYPO[parsed.reason];
    });
    if (canonical.length === 0 && Object.keys(errors).length === 0) errors['code-0'] = 'Saisissez le code du pass.';
    if (Object.keys(errors).length > 0) {
      return this.redeemPage(response, session, typed, errors, body.idempotencyKey, 422);
    }

    const positions = typed.flatMap((code, i) => (code.trim() ? [i] : []));
    try {
      const redemption = await this.backend.json<Redemption>(
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
        {
          redemptionId: redemption.redemptionId,
          redeemedAt: redemption.redeemedAt,
          totalCents: redemption.totalCents,
          codeEnds: canonical.map((c) => c.slice(-4)),
        },
        ...session.recentRedemptions.filter((r) => r.redemptionId !== redemption.redemptionId),
      ].slice(0, 50);
      const n = redemption.passes.length;
      session.flash = {
        kind: 'success',
        title: n > 1 ? `${n} pass validés` : 'Pass validé',
        text: `${euros(redemption.totalCents)} seront versés à votre lieu.`,
      };
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
  async cancel(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: { reason?: string },
    @Res() response: Response,
  ): Promise<void> {
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

  /**
   * The site's redemptions of the last 24 hours, whoever made them and from wherever;
   * null if the service does not answer.
   */
  private async lastDay(session: Session): Promise<SiteRedemption[] | null> {
    try {
      const path = '/redemptions?pageSize=100';
      return (await this.backend.json<{ items: SiteRedemption[] }>('redemption', session.token, 'GET', path)).items;
    } catch (error) {
      this.logger.warn(`The site's redemptions could not be listed: ${(error as Error).message}`);
      return null;
    }
  }

  private async redeemPage(
    response: Response,
    session: Session,
    codes: string[],
    errors: FieldErrors,
    idempotencyKey: string = randomUUID(),
    status = 200,
    refusal?: string,
  ): Promise<void> {
    const recent = await this.lastDay(session);
    const view = siteRedeemView({
      csrf: session.csrf,
      codes,
      errors,
      idempotencyKey,
      refusal,
      maxCodes: MAX_CODES,
      recent,
      typedHere: session.recentRedemptions,
    });
    this.renderer.page(response, session, view, { status });
  }
}
