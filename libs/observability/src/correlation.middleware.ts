import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { acceptCorrelationId, CORRELATION_HEADER, runWithCorrelation } from './correlation';

type RequestWithId = Request & { id?: string };

/** Gives every request a correlation id (kept from the caller when sane) that logs and events carry. */
@Injectable()
export class CorrelationMiddleware implements NestMiddleware {
  use(request: RequestWithId, response: Response, next: NextFunction): void {
    const correlationId = request.id ?? acceptCorrelationId(request.headers[CORRELATION_HEADER]);
    request.id = correlationId;
    response.setHeader(CORRELATION_HEADER, correlationId);
    runWithCorrelation({ correlationId }, next);
  }
}
