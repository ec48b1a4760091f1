import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * An error a person will read: a stable machine-readable `code` and a French
 * `message`. Services throw these; the HTTP filter renders them as is.
 */
export class Problem extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super({ statusCode: status, code, message, ...(details ? { details } : {}) }, status);
  }

  static notFound(code: string, message: string, details?: Record<string, unknown>): Problem {
    return new Problem(HttpStatus.NOT_FOUND, code, message, details);
  }

  static conflict(code: string, message: string, details?: Record<string, unknown>): Problem {
    return new Problem(HttpStatus.CONFLICT, code, message, details);
  }

  static unprocessable(code: string, message: string, details?: Record<string, unknown>): Problem {
    return new Problem(HttpStatus.UNPROCESSABLE_ENTITY, code, message, details);
  }

  static forbidden(code: string, message: string, details?: Record<string, unknown>): Problem {
    return new Problem(HttpStatus.FORBIDDEN, code, message, details);
  }
}
