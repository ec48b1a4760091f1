import { Body, Controller, Get, Inject, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Role, ROLES } from '@app/auth';
import { BackendClient } from '../backend/backend.client';
import { CurrentSession, For } from '../session/session.guard';
import { Session, SESSION_COOKIE, SessionStore } from '../session/session.store';
import { DevTokens } from '../session/tokens';
import { signInOrganisationView, signInRoleView, signInUnavailableView } from '../views/pages/sign-in.view';
import { Renderer } from '../views/render';
import { WEB_CONFIG, WebConfig } from '../web.config';

export const HOME: Record<Role, string> = {
  operator: '/operateur',
  funder: '/tableau-de-bord',
  counselor: '/conseiller',
  site: '/lieu',
};

const ORG_SOURCES = {
  funder: { backend: 'funding', path: '/funders', label: 'Financeur' },
  counselor: { backend: 'issuance', path: '/agencies', label: 'Structure (agence)' },
  site: { backend: 'redemption', path: '/sites', label: 'Lieu de médiation' },
} as const;

@Controller()
export class SignInController {
  constructor(
    private readonly tokens: DevTokens,
    private readonly backend: BackendClient,
    private readonly sessions: SessionStore,
    private readonly renderer: Renderer,
    @Inject(WEB_CONFIG) private readonly config: WebConfig,
  ) {}

  @Get()
  home(@CurrentSession() session: Session | null, @Res() response: Response): void {
    response.redirect(303, session ? HOME[session.role] : '/connexion');
  }

  @Get('connexion')
  async signInPage(
    @Query('role') role: string | undefined,
    @CurrentSession() session: Session | null,
    @Res() response: Response,
  ): Promise<void> {
    if (!this.tokens.enabled) return this.renderer.page(response, session, signInUnavailableView());
    if (!role || !(ROLES as readonly string[]).includes(role)) {
      return this.renderer.page(response, session, signInRoleView());
    }
    const choices = await this.organisations(role as Role);
    const view = signInOrganisationView({
      role: role as Role,
      organisations: choices && { label: ORG_SOURCES[role as keyof typeof ORG_SOURCES].label, choices },
    });
    this.renderer.page(response, session, view);
  }

  @Post('connexion')
  async signIn(
    @Body() body: { role?: string; org?: string },
    @CurrentSession() previous: Session | null,
    @Res() response: Response,
  ): Promise<void> {
    if (!this.tokens.enabled || !body.role || !(ROLES as readonly string[]).includes(body.role)) {
      return response.redirect(303, '/connexion');
    }
    const role = body.role as Role;
    const organisations = await this.organisations(role);
    const org = organisations ? organisations.find((o) => o.id === body.org) : null;
    if (organisations && !org) return response.redirect(303, `/connexion?role=${role}`);
    if (previous) this.sessions.destroy(previous.id);
    const token = await this.tokens.mint(role, org?.id ?? null, `web-dev-${role}`);
    const session = this.sessions.create({ role, org: org?.id ?? null, orgName: org?.name ?? null, token });
    response.cookie(SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.cookieSecure,
      path: '/',
      maxAge: this.config.sessionTtlMs,
    });
    response.redirect(303, HOME[role]);
  }

  @Post('deconnexion')
  @For(...ROLES) // so the anti-forgery token is checked: no other site can sign a user out
  signOut(@CurrentSession() session: Session | null, @Res() response: Response): void {
    if (session) this.sessions.destroy(session.id);
    response.clearCookie(SESSION_COOKIE, { path: '/' });
    response.redirect(303, '/connexion');
  }

  /** The organisations of a role, listed with an operator token; null for the operator, who has none. */
  private async organisations(role: Role): Promise<Array<{ id: string; name: string }> | null> {
    if (role === 'operator') return null;
    const source = ORG_SOURCES[role];
    const operator = await this.tokens.mint('operator', null, 'web-dev-sign-in');
    const rows = await this.backend.get<Array<{ id: string; name: string }>>(source.backend, operator, source.path);
    return rows.map((r) => ({ id: r.id, name: r.name })).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  }
}
