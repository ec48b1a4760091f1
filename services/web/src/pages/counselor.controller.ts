import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AGE_BANDS, DIAGNOSTIC_LEVELS, SITUATIONS } from '@app/contracts';
import { BackendClient, BackendError } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import type { Session } from '../session/session.store';
import { FieldErrors } from '../views/forms';
import { euros } from '../views/html';
import { Booklet, counselorBookletView } from '../views/pages/counselor-booklet.view';
import { Allocation, BookletSummary, counselorBookletsView } from '../views/pages/counselor-booklets.view';
import { counselorIssueView, IssueFormValues } from '../views/pages/counselor-issue.view';
import { Renderer } from '../views/render';
import { sendBinary } from './proxy';

const PROGRAM_CODES = [
  'PROGRAM_NOT_FOUND',
  'PROGRAM_CLOSED',
  'PROGRAM_NOT_YET_VALID',
  'PROGRAM_EXPIRED',
  'NO_ALLOCATION',
  'ALLOCATION_EXHAUSTED',
];

@Controller('conseiller')
@For('counselor')
export class CounselorController {
  constructor(
    private readonly backend: BackendClient,
    private readonly renderer: Renderer,
  ) {}

  @Get()
  async home(
    @CurrentSession() session: Session,
    @Query('page') pageParam: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const page = Math.max(1, Number(pageParam) || 1);
    const [allocations, booklets] = await Promise.all([
      this.backend.get<Allocation[]>('issuance', session.token, '/allocations'),
      this.backend.get<{ items: BookletSummary[]; total: number; pageSize: number }>(
        'issuance',
        session.token,
        `/booklets?page=${page}&pageSize=20`,
      ),
    ]);
    const view = counselorBookletsView({ orgName: session.orgName, allocations, booklets, page });
    this.renderer.page(response, session, view);
  }

  @Get('carnets/nouveau')
  async newBooklet(@CurrentSession() session: Session, @Res() response: Response): Promise<void> {
    await this.issueForm(response, session, {}, {});
  }

  @Post('carnets')
  async issue(
    @CurrentSession() session: Session,
    @Body() body: IssueFormValues,
    @Res() response: Response,
  ): Promise<void> {
    const errors: FieldErrors = {};
    if (!body.programId) errors.programId = 'Choisissez le programme du carnet.';
    if (!body.situation || !(SITUATIONS as readonly string[]).includes(body.situation)) {
      errors.situation = 'Indiquez la situation de la personne.';
    }
    if (!body.diagnosticLevel || !(DIAGNOSTIC_LEVELS as readonly string[]).includes(body.diagnosticLevel)) {
      errors.diagnosticLevel = 'Indiquez le niveau du diagnostic.';
    }
    if (body.ageBand && !(AGE_BANDS as readonly string[]).includes(body.ageBand)) {
      errors.ageBand = "Choisissez une tranche d'âge de la liste.";
    }
    if (Object.keys(errors).length > 0) return this.issueForm(response, session, body, errors);
    try {
      const booklet = await this.backend.json<{ id: string; passes: unknown[]; totalCents: number }>(
        'issuance',
        session.token,
        'POST',
        '/booklets',
        {
          programId: body.programId,
          beneficiary: {
            ...(body.ageBand ? { ageBand: body.ageBand } : {}),
            situation: body.situation,
            diagnosticLevel: body.diagnosticLevel,
          },
        },
      );
      session.flash = {
        kind: 'success',
        title: 'Carnet délivré',
        text: `${booklet.passes.length} pass pour ${euros(booklet.totalCents)}. Imprimez-le et remettez-le à la personne.`,
      };
      response.redirect(303, `/conseiller/carnets/${booklet.id}`);
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      const field = PROGRAM_CODES.includes(error.code) ? 'programId' : 'form';
      await this.issueForm(response, session, body, { [field]: error.message }, 422);
    }
  }

  @Get('carnets/:id')
  async booklet(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Res() response: Response,
  ): Promise<void> {
    const booklet = await this.backend.get<Booklet>('issuance', session.token, `/booklets/${id}`);
    this.renderer.page(response, session, counselorBookletView({ csrf: session.csrf, booklet }));
  }

  @Get('carnets/:id/pdf')
  async pdf(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Res() response: Response,
  ): Promise<void> {
    const pdf = await this.backend.binary('issuance', session.token, `/booklets/${id}/pdf`);
    sendBinary(response, pdf, `carnet-${id}.pdf`);
  }

  @Post('pass/:id/annulation')
  async voidPass(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: { reason?: string; comment?: string; bookletId?: string },
    @Res() response: Response,
  ): Promise<void> {
    const back = /^[0-9a-f-]{36}$/.test(body.bookletId ?? '') ? `/conseiller/carnets/${body.bookletId}` : '/conseiller';
    try {
      await this.backend.json('issuance', session.token, 'POST', `/passes/${id}/void`, {
        reason: body.reason,
        ...(body.comment?.trim() ? { comment: body.comment.trim() } : {}),
      });
      session.flash = {
        kind: 'success',
        title: "Demande d'annulation envoyée",
        text: 'Le pass sera annulé dès que le service de validation aura confirmé qu’il n’a pas été utilisé.',
      };
    } catch (error) {
      if (!(error instanceof BackendError) || error.status >= 500) throw error;
      session.flash = { kind: 'error', title: "L'annulation n'a pas été enregistrée", text: error.message };
    }
    response.redirect(303, back);
  }

  private async issueForm(
    response: Response,
    session: Session,
    values: IssueFormValues,
    errors: FieldErrors,
    status = 200,
  ): Promise<void> {
    const allocations = await this.backend.get<Allocation[]>('issuance', session.token, '/allocations');
    const open = allocations.filter((a) => a.programStatus === 'open');
    const view = counselorIssueView({ csrf: session.csrf, allocations: open, values, errors });
    this.renderer.page(response, session, view, { status });
  }
}
