import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { BadRequestException, HttpStatus, Injectable } from '@nestjs/common';
import { hasControlCharacter } from '@app/validation';

/** Far deeper than any request of ours (3 levels); deep enough JSON overflows the stack of the validators. */
export const MAX_INPUT_DEPTH = 32;
/** Longer than any field a person types; a backstop under each field's own length limit. */
export const MAX_STRING_LENGTH = 10_000;
/** Keys that reach an object's prototype when copied naively; class-transformer drops them silently. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The codes HostileInputPipe answers, for the API documents. */
export const HOSTILE_INPUT_CODES = [
  'CONTROL_CHARACTER',
  'TEXT_TOO_LONG',
  'NUMBER_OUT_OF_RANGE',
  'INPUT_TOO_DEEP',
  'FIELD_NOT_ALLOWED',
] as const;

interface HostileInput {
  code: (typeof HOSTILE_INPUT_CODES)[number];
  message: string;
  field: string;
}

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * The first thing in a parsed body, query or path parameter that must not
 * reach validation or the database, or null. Walks with its own stack, not
 * recursion, so that the depth it refuses cannot overflow it.
 */
export function findHostileInput(input: unknown): HostileInput | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (hasControlCharacter(value))
        return {
          code: 'CONTROL_CHARACTER',
          field: path,
          message: 'Un texte envoyé contient un caractère invisible non autorisé : retapez-le sans copier-coller.',
        };
      if (value.length > MAX_STRING_LENGTH)
        return {
          code: 'TEXT_TOO_LONG',
          field: path,
          message: `Un texte envoyé dépasse ${MAX_STRING_LENGTH} caractères : raccourcissez-le.`,
        };
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))
        return {
          code: 'NUMBER_OUT_OF_RANGE',
          field: path,
          message: 'Un nombre envoyé est bien trop grand : vérifiez-le.',
        };
    } else if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
      if (depth >= MAX_INPUT_DEPTH)
        return {
          code: 'INPUT_TOO_DEEP',
          field: path,
          message: `Le contenu envoyé imbrique plus de ${MAX_INPUT_DEPTH} niveaux : simplifiez-le.`,
        };
      for (const [key, child] of Object.entries(value)) {
        if (FORBIDDEN_KEYS.has(key) || hasControlCharacter(key))
          return {
            code: 'FIELD_NOT_ALLOWED',
            field: at(path, key),
            message: "Le contenu envoyé contient un champ qui n'est pas permis : retirez-le.",
          };
        pending.push({ value: child, path: at(path, key), depth: depth + 1 });
      }
    }
  }
  return null;
}

/**
 * Runs before validation on every body, query and path parameter: what it
 * refuses would otherwise overflow the validators, be dropped without a word,
 * or fail in PostgreSQL as a 500.
 */
@Injectable()
export class HostileInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const hostile = findHostileInput(value);
    if (hostile)
      throw new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        code: hostile.code,
        message: hostile.message,
        errors: [{ field: hostile.field || metadata.data || metadata.type, problems: [hostile.code] }],
      });
    return value;
  }
}
