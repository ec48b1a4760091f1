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
      const generic = GENERIC_MESSAGES[status] ?? { code: 'HTTP_ERROR', message: 'La requête a échoué.' };
      if (typeof body === 'object' && body !== null && 'code' in body) {
        response.status(status).json({ statusCode: status, ...body });
      } else {
        response.status(status).json({ statusCode: status, ...generic });
      }
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
