import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALLOWED_ROLES, IS_PUBLIC } from './decorators';
import { AuthenticatedUser, Role } from './roles';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

/** Global guard: a bearer token on every HTTP route not marked @Public, and a role the route allows. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Kafka handlers are trusted: events are validated instead.
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; user?: AuthenticatedUser }>();
    const [scheme, token] = (request.headers.authorization ?? '').trim().split(/\s+/);
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthorizedException({
        code: 'AUTH_TOKEN_MISSING',
        message: "Jeton d'accès manquant : connectez-vous.",
      });
    }
    try {
      request.user = await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      throw new UnauthorizedException({
        code: 'AUTH_TOKEN_INVALID',
        message: "Jeton d'accès invalide ou expiré : reconnectez-vous.",
      });
    }

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (!allowed?.includes(request.user.role)) {
      throw new ForbiddenException({ code: 'AUTH_ROLE_FORBIDDEN', message: 'Votre rôle ne permet pas cette action.' });
    }
    return true;
  }
}
