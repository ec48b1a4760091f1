import { Inject, Injectable } from '@nestjs/common';
import { currentCorrelation, CORRELATION_HEADER } from '@app/observability';
import { WEB_CONFIG, WebConfig } from '../web.config';
import { callerAddress } from './caller-address.middleware';

export type Backend = 'issuance' | 'redemption' | 'funding' | 'reporting';

/** A refusal of a service: its stable code and French message, as the services write them. */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface BinaryAnswer {
  body: Buffer;
  contentType: string;
  contentDisposition: string | null;
}

/**
 * The four services' HTTP APIs, called with the signed-in user's token and
 * the person's address in X-Forwarded-For: the services count failed pass
 * codes per site and address, and believe it when they trust the web front
 * (their TRUSTED_PROXIES).
 */
@Injectable()
export class BackendClient {
  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig) {}

  async json<T = unknown>(
    backend: Backend,
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(backend, token, method, path, body, headers);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = unknown>(backend: Backend, token: string, path: string): Promise<T> {
    return this.json<T>(backend, token, 'GET', path);
  }

  async binary(backend: Backend, token: string, path: string): Promise<BinaryAnswer> {
    const response = await this.send(backend, token, 'GET', path);
    return {
      body: Buffer.from(await response.arrayBuffer()),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      contentDisposition: response.headers.get('content-disposition'),
    };
  }

  private async send(
    backend: Backend,
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const isText = typeof body === 'string';
    const correlation = currentCorrelation();
    const address = callerAddress();
    let response: Response;
    try {
      response = await fetch(`${this.config.urls[backend]}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': isText ? 'text/csv' : 'application/json' }),
          ...(correlation ? { [CORRELATION_HEADER]: correlation.correlationId } : {}),
          ...(address ? { 'x-forwarded-for': address } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      throw new BackendError(
        503,
        'SERVICE_UNAVAILABLE',
        'Le service est momentanément indisponible. Réessayez dans quelques instants.',
      );
    }
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as {
        code?: string;
        message?: string | string[];
        details?: Record<string, unknown>;
      };
      const message = Array.isArray(problem.message) ? problem.message.join(' ') : problem.message;
      throw new BackendError(
        response.status,
        problem.code ?? `HTTP_${response.status}`,
        message ?? 'La demande a été refusée.',
        problem.details,
      );
    }
    return response;
  }
}
