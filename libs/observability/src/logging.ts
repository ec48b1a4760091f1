import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { acceptCorrelationId, CORRELATION_HEADER, currentCorrelation } from './correlation';

/**
 * JSON logs, one line per event, each carrying the correlation id of the
 * request or message being handled. Credentials are redacted; pass codes are
 * never logged (request bodies are not logged at all).
 */
export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'message',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ level: label }) },
      mixin: () => {
        const correlation = currentCorrelation();
        return correlation ? { correlationId: correlation.correlationId, causationId: correlation.causationId } : {};
      },
      genReqId: (request: IncomingMessage & { id?: unknown }) =>
        (typeof request.id === 'string' && request.id) || acceptCorrelationId(request.headers[CORRELATION_HEADER]),
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'],
        censor: '[redacted]',
      },
      // Probes and scrapes would drown the useful lines.
      autoLogging: { ignore: (request: IncomingMessage) => /^\/(health|metrics)/.test(request.url ?? '') },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
  };
}
