import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { SITE_DECISION_LABELS, SiteDecision } from '../views/labels';
import { FundedProgram, Funder, operatorProgramsView } from '../views/pages/operator-programs.view';
import { operatorSettlementsView, SettlementRun } from '../views/pages/operator-settlements.view';
import { operatorSitesView, RegisteredSite, SiteImportReport } from '../views/pages/operator-sites.view';
import { Renderer } from '../views/render';
import { sendBinary } from './proxy';

@Controller('operateur')
@For('operator')
export class OperatorController {
  constructor(
    private readonly backend: BackendClient,
    private readonly renderer: Renderer,
  ) {}

  @Get()
  async home(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    const [funders, { items: programs }] = await Promise.all([
      this.backend.get<Funder[]>('funding', session.token, '/funders'),
      this.backend.get<{ items: FundedProgram[] }>('funding', session.token, '/programs?pageSize=200'),
    ]);
    this.renderer.page(response, session, operatorProgramsView({ funders, programs }));
  }

  @Get('lieux')
  async sites(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    await this.sitesPage(response, session);
  }

  @Post('lieux/import')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: 50 * 1024 * 1024 } }))
  async importSites(
    @CurrentSession() session: Session,
    @UploadedFile() file: { buffer: Buffer; size: number } | undefined,
    @Res() response: Response,
  ): Promise<void> {
    if (!file || file.size === 0) {
      const error = 'Choisissez le fichier CSV des lieux à importer.';
      return this.sitesPage(response, session, undefined, { file: error }, 422);
    }
    try {
      const imported = await this.backend.json<SiteImportReport>(
        'redemption',
        session.token,
        'POST',
        '/sites/import',
        file.buffer.toString('utf8'),
      );
      await this.sitesPage(response, session, imported);
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      await this.sitesPage(response, session, undefined, { file: error.message }, error.status);
    }
  }

  @Post('lieux/:id/habilitation')
  async accredit(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: { validUntil?: string; reason?: string },
    @Res() response: Response,
  ): Promise<void> {
    const decision = { validUntil: body.validUntil, reason: body.reason?.trim() || 'Habilitation' };
    await this.decide(session, response, `/sites/${id}/accreditation`, decision, 'Lieu habilité');
  }

  @Post('lieux/:id/decision/:decision')
  async decision(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('decision') decision: string,
    @Body() body: { reason?: string },
    @Res() response: Response,
  ): Promise<void> {
    if (!(decision in SITE_DECISION_LABELS)) return response.redirect(303, '/operateur/lieux');
    const reason = body.reason?.trim() || SITE_DECISION_LABELS[decision as SiteDecision];
    await this.decide(session, response, `/sites/${id}/${decision}`, { reason }, 'Décision enregistrée');
  }

  @Get('reglements')
  async settlements(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    await this.settlementsPage(response, session);
  }

  @Post('reglements')
  async settle(
    @CurrentSession() session: Session,
    @Body() body: { period?: string },
    @Res() response: Response,
  ): Promise<void> {
    const period = body.period?.trim() ?? '';
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
      const error = 'Indiquez un mois au format AAAA-MM, par exemple 2026-10.';
      return this.settlementsPage(response, session, { period: error }, period, 422);
    }
    try {
      const run = await this.backend.json<{ id: string; statements?: unknown[] }>(
        'funding',
        session.token,
        'POST',
        '/settlement-runs',
        { period },
      );
      session.flash = {
        kind: 'success',
        title: `Règlement de ${period} lancé`,
        text: `${run.statements?.length ?? 0} relevé(s) émis.`,
      };
      response.redirect(303, '/operateur/reglements');
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      await this.settlementsPage(response, session, { period: error.message }, period, error.status);
    }
  }

  @Get('reglements/:id/sepa')
  async sepa(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Res() response: Response,
  ): Promise<void> {
    const sepa = await this.backend.binary('funding', session.token, `/settlement-runs/${id}/sepa`);
    sendBinary(response, sepa, `virements-${id}.xml`);
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

  private async sitesPage(
    response: Response,
    session: Session,
    imported?: SiteImportReport,
    errors: { file?: string } = {},
    status = 200,
  ): Promise<void> {
    const sites = await this.backend.get<RegisteredSite[]>('redemption', session.token, '/sites');
    const view = operatorSitesView({ csrf: session.csrf, sites, imported, errors });
    this.renderer.page(response, session, view, { status });
  }

  private async settlementsPage(
    response: Response,
    session: Session,
    errors: { period?: string } = {},
    period = '',
    status = 200,
  ): Promise<void> {
    const runs = await this.backend.get<SettlementRun[]>('funding', session.token, '/settlement-runs');
    const view = operatorSettlementsView({ csrf: session.csrf, runs, period, errors });
    this.renderer.page(response, session, view, { status });
  }
}
