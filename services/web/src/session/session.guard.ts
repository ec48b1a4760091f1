import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@app/auth';
import { Session, SESSION_COOKIE, SessionStore } from './session.store';

const ROLES_KEY = 'web:roles';
/** Who may open a page; pages without it are public. */
export const For = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Thrown when a page needs a session: the filter sends the browser to the sign-in page. */
export class SignInRequired extends Error {}

export type WebRequest = Request & { webSession?: Session | null };

@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionStore,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const session = this.sessions.get(request.cookies?.[SESSION_COOKIE]);
    request.webSession = session;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles) return true;
    if (!session) throw new SignInRequired();
    if (!roles.includes(session.role)) throw new ForbiddenException("Cette page n'est pas accessible avec votre rôle.");
    // SameSite=Lax already keeps the cookie off cross-site POSTs; the token also covers older browsers.
    if (request.method === 'POST') {
      const given = (request.body as Record<string, unknown> | undefined)?._csrf ?? request.query._csrf;
      if (given !== session.csrf)
        throw new ForbiddenException('Le formulaire a expiré : rechargez la page et recommencez.');
    }
    return true;
  }
}

export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<WebRequest>().webSession ?? null,
);
