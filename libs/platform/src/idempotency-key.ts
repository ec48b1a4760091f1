import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator, HttpStatus } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { Problem } from './problem';

/** A key that passed the header rule: services only ever get one from `@IdempotencyKeyHeader()`. */
export type IdempotencyKey = string & { readonly __idempotencyKey: true };

export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;
/** 1 to 200 printable characters: no control character, whatever the alphabet. */
const VALID_KEY = new RegExp(`^[^\\p{Cc}]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`, 'u');

export function idempotencyKeyRequired(): Problem {
  return new Problem(
    HttpStatus.BAD_REQUEST,
    'IDEMPOTENCY_KEY_REQUIRED',
    "L'en-tête Idempotency-Key est obligatoire : joignez à votre demande une clé de 1 à 200 caractères imprimables (un UUID, par exemple), " +
      'une nouvelle pour chaque demande et la même si vous la renvoyez.',
  );
}

export function idempotencyKeyReused(): Problem {
  return Problem.conflict(
    'IDEMPOTENCY_KEY_REUSED',
    "Cette clé d'idempotence a déjà servi pour une demande différente : pour une nouvelle demande, utilisez une nouvelle clé.",
  );
}

/** The key of an Idempotency-Key header, or IDEMPOTENCY_KEY_REQUIRED when it is missing, empty or malformed. */
export function parseIdempotencyKey(header: unknown): IdempotencyKey {
  if (typeof header !== 'string' || !VALID_KEY.test(header)) throw idempotencyKeyRequired();
  return header as IdempotencyKey;
}

/** The request's Idempotency-Key, checked before the handler runs. Pair it with `@ApiIdempotencyKey()`. */
export const IdempotencyKeyHeader = createParamDecorator((_data: unknown, context: ExecutionContext): IdempotencyKey =>
  parseIdempotencyKey(context.switchToHttp().getRequest<Request>().headers['idempotency-key']),
);

/** The header in the OpenAPI document, required, with what a retry gets. */
export function ApiIdempotencyKey(description: string): MethodDecorator {
  return ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH },
    description: `${description}. Missing or malformed: 400 IDEMPOTENCY_KEY_REQUIRED; the same key with another request: 409 IDEMPOTENCY_KEY_REUSED`,
  });
}

/**
 * SHA-256 of the request as canonical JSON (object keys sorted, undefined
 * left out): what a retry must repeat exactly to get the first answer.
 */
export function requestFingerprint(request: unknown): string {
  const sortedKeys = (_key: string, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value;
  return createHash('sha256').update(JSON.stringify(request, sortedKeys)).digest('hex');
}

/**
 * Where a service keeps the keys its requests claimed, in its own table
 * (one row per scope and key): the SQL stays in its repository.
 */
export interface IdempotencyClaims<Held> {
  /**
   * Inserts the claim in the caller's transaction. A concurrent claim of the
   * same key waits on the unique key until that transaction ends; false when
   * a committed request already holds the key.
   */
  claim(scope: string, key: IdempotencyKey, fingerprint: string): Promise<boolean>;
  /** The committed request that holds the key: its fingerprint, and what its replay needs. */
  holder(scope: string, key: IdempotencyKey): Promise<({ fingerprint: string } & Held) | null>;
}

export interface IdempotentRequest {
  /** Who the key belongs to (a site, an agency): two scopes may use the same key. */
  scope: string;
  key: IdempotencyKey;
  fingerprint: string;
}

/**
 * Claim first, then work, inside the caller's transaction: the first request
 * with a key does the work (its claim and its result commit together, or
 * neither does); a retry of the same request gets the first answer again; the
 * same key with another request is refused with IDEMPOTENCY_KEY_REUSED.
 */
export async function claimFirst<Held, Answer>(
  claims: IdempotencyClaims<Held>,
  request: IdempotentRequest,
  handle: { first: () => Promise<Answer>; replay: (held: Held) => Answer | Promise<Answer> },
): Promise<Answer> {
  if (await claims.claim(request.scope, request.key, request.fingerprint)) return handle.first();
  const held = await claims.holder(request.scope, request.key);
  if (!held) throw new Error('An idempotency key was refused as taken, yet no request holds it');
  if (held.fingerprint !== request.fingerprint) throw idempotencyKeyReused();
  return handle.replay(held);
}
