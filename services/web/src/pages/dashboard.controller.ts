import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { AuditEvent, dashboardAuditView } from '../views/pages/dashboard-audit.view';
import {
  AgencyFigures,
  dashboardProgramView,
  DayFigures,
  DepartementFigures,
  ProgramSummary,
  SiteFigures,
} from '../views/pages/dashboard-program.view';
import { dashboardProgramsView, ProgramListItem } from '../views/pages/dashboard-programs.view';
import { Renderer } from '../views/render';
import { sendBinary } from './proxy';

const PASS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The funders' (and operator's) view of programs, read from reporting. */
@Controller('tableau-de-bord')
@For('funder', 'operator')
export class DashboardController {
  constructor(
    private readonly backend: BackendClient,
    private readonly renderer: Renderer,
  ) {}

  @Get()
  async programs(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    const { items } = await this.backend.get<{ items: ProgramListItem[] }>('reporting', session.token, '/programs');
    this.renderer.page(response, session, dashboardProgramsView({ programs: items }));
  }

  @Get('programmes/:id')
  async program(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Res() response: Response,
  ): Promise<void> {
    const get = <T>(path: string) => this.backend.get<T>('reporting', session.token, `/programs/${id}${path}`);
    const [summary, byDay, byDepartement, byAgency, bySite] = await Promise.all([
      get<ProgramSummary>('/summary'),
      get<{ items: DayFigures[] }>('/by-day'),
      get<{ items: DepartementFigures[] }>('/by-departement'),
      get<{ items: AgencyFigures[] }>('/by-agency'),
      get<{ items: SiteFigures[] }>('/by-site'),
    ]);
    const view = dashboardProgramView({
      programId: id,
      summary,
      byDay: byDay.items,
      byDepartement: byDepartement.items,
      byAgency: byAgency.items,
      bySite: bySite.items,
    });
    this.renderer.page(response, session, view);
  }

  @Get('programmes/:id/validations.csv')
  async redemptionsCsv(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Res() response: Response,
  ): Promise<void> {
    const csv = await this.backend.binary('reporting', session.token, `/exports/redemptions.csv?programId=${id}`);
    sendBinary(response, csv, `validations-${id}.csv`);
  }

  @Get('programmes/:id/agregats.csv')
  async aggregatesCsv(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Res() response: Response,
  ): Promise<void> {
    const csv = await this.backend.binary('reporting', session.token, `/exports/programs/${id}/aggregates.csv`);
    sendBinary(response, csv, `agregats-${id}.csv`);
  }

  @Get('audit')
  async audit(
    @CurrentSession() session: Session,
    @Query('passId') passIdParam: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const passId = passIdParam?.trim() ?? '';
    let events: AuditEvent[] | undefined;
    let error: string | undefined;
    if (passId && !PASS_ID.test(passId)) {
      error =
        "L'identifiant d'un pass a la forme 0b7c1e2a-…-… (36 caractères) : il figure dans l'export des validations.";
    } else if (passId) {
      try {
        const path = `/audit/passes/${passId}`;
        events = (await this.backend.get<{ events: AuditEvent[] }>('reporting', session.token, path)).events;
      } catch (e) {
        if (!(e instanceof BackendError) || e.status >= 500) throw e;
        error = e.status === 404 ? 'Aucun pass visible pour vous ne porte cet identifiant.' : e.message;
      }
    }
    this.renderer.page(response, session, dashboardAuditView({ passId, error, events }));
  }
}
