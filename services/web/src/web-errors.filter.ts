import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { BackendError } from './backend/backend.client';
import { SignInRequired, WebRequest } from './session/session.guard';
import { errorView } from './views/pages/error.view';
import { Renderer } from './views/render';

/** Every failure becomes a French page; a missing session, a trip to the sign-in page. */
@Catch()
export class WebErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Web');

  constructor(private readonly renderer: Renderer) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<WebRequest>();
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof SignInRequired) {
      response.redirect(303, '/connexion');
      return;
    }
    let status = 500;
    let message = 'Une erreur inattendue est survenue. Réessayez plus tard.';
    if (error instanceof BackendError) {
      status = error.status === 401 ? 401 : error.status >= 500 ? 502 : error.status;
      message = error.status === 401 ? 'Votre session a expiré : reconnectez-vous.' : error.message;
    } else if (error instanceof HttpException) {
      status = error.getStatus();
      message = status === 404 ? "Cette page n'existe pas." : error.message;
    } else {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    this.renderer.page(response, request.webSession ?? null, errorView({ status, message }), { status });
  }
}
