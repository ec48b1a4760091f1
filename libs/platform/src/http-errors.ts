import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import type { Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { isDatabaseUnavailable } from '@app/database';

const GENERIC_MESSAGES: Partial<Record<number, { code: string; message: string }>> = {
  [HttpStatus.BAD_REQUEST]: { code: 'BAD_REQUEST', message: 'La requête est invalide.' },
  [HttpStatus.UNAUTHORIZED]: { code: 'AUTH_REQUIRED', message: 'Authentification requise.' },
  [HttpStatus.FORBIDDEN]: { code: 'FORBIDDEN', message: "Vous n'avez pas accès à cette ressource." },
  [HttpStatus.NOT_FOUND]: { code: 'NOT_FOUND', message: 'Ressource introuvable.' },
  [HttpStatus.PAYLOAD_TOO_LARGE]: { code: 'PAYLOAD_TOO_LARGE', message: 'Le contenu envoyé est trop volumineux.' },
  [HttpStatus.TOO_MANY_REQUESTS]: { code: 'TOO_MANY_REQUESTS', message: 'Trop de tentatives : réessayez plus tard.' },
};

function fieldErrors(errors: ValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** Bodies are validated and stripped to their declared fields; unknown fields are refused, not ignored. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        code: 'VALIDATION_FAILED',
        message: 'Certaines informations sont manquantes ou invalides.',
        errors: fieldErrors(errors),
      }),
  });
}

/** body-parser's errors (http-errors) by their `type`: the client's doing, so a 4xx that says what to fix. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.too.large': {
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'Le contenu envoyé est trop volumineux : envoyez moins de données à la fois.',
  },
  'parameters.too.many': {
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'Le formulaire envoyé contient trop de champs.',
  },
  'entity.parse.failed': {
    status: HttpStatus.BAD_REQUEST,
    code: 'MALFORMED_JSON',
    message: "Le contenu envoyé n'est pas un JSON valide : vérifiez sa syntaxe.",
  },
  'entity.verify.failed': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'La requête est invalide.' },
  'charset.unsupported': {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Ce jeu de caractères n’est pas pris en charge : envoyez le contenu en UTF-8.',
  },
  'encoding.unsupported': {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Cette compression n’est pas prise en charge : envoyez le contenu sans compression ou en gzip.',
  },
};

/** An error a library raised for something the client sent (http-errors with a 4xx status), or null. */
function clientErrorOf(exception: unknown): { status: number; code: string; message: string } | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { type, status } = exception as { type?: unknown; status?: unknown };
  if (typeof type === 'string' && BODY_ERRORS[type]) return BODY_ERRORS[type];
  if (typeof status === 'number' && status >= 400 && status < 500) return genericProblem(status);
  return null;
}

function genericProblem(status: number): { status: number; code: string; message: string } {
  return { status, ...(GENERIC_MESSAGES[status] ?? { code: 'HTTP_ERROR', message: 'La requête a échoué.' }) };
}

/** Every error leaves as { statusCode, code, message[, errors|details] }; internal details stay in the logs. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // Event handlers are not HTTP: their errors go back to the event processor untouched.
    if (host.getType() !== 'http') return throwError(() => exception);
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'code' in body) {
        response.status(status).json({ statusCode: status, ...body });
        return;
      }
    }
    // The adapter wraps what the body parser raises in an HttpException, with the parser's error as its cause.
    const clientError =
      clientErrorOf(exception instanceof HttpException ? (exception.cause ?? exception) : exception) ??
      (exception instanceof HttpException ? genericProblem(exception.getStatus()) : null);
    if (clientError) {
      const { status, code, message } = clientError;
      response.status(status).json({ statusCode: status, code, message });
      return;
    }
    if (isDatabaseUnavailable(exception)) {
      // An outage, not a fault of the request: it may be sent again (with its Idempotency-Key where the route takes one).
      this.logger.warn(`The database is unavailable: ${(exception as Error).message}`);
      response.setHeader('Retry-After', '5');
      response.status(HttpStatus.SERVICE_UNAVAILABLE).json({
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        code: 'SERVICE_UNAVAILABLE',
        message: 'Le service est momentanément indisponible. Réessayez dans quelques secondes.',
      });
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_ERROR',
      message: 'Une erreur interne est survenue. Réessayez dans un instant.',
    });
  }
}
