import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();

/**
 * Keeps the address of the person being served (request.ip: the peer, or
 * what the web front's own trusted proxy forwarded) for the calls the
 * backend client makes on their behalf. A Nest middleware, so it runs after
 * the body is parsed and the context lasts until the handler's end.
 */
@Injectable()
export class CallerAddressMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    if (request.ip) storage.run(request.ip, next);
    else next();
  }
}

/** The address of the person whose request is being served, if any. */
export function callerAddress(): string | undefined {
  return storage.getStore();
}
