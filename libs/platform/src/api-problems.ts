import { ApiExtension, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject } from '@nestjs/swagger';
import { HOSTILE_INPUT_CODES } from './hostile-input';

class FieldErrorView {
  @ApiProperty({ example: 'siret' }) field: string;
  @ApiProperty({ type: [String], example: ['siret doit être un SIRET valide'] }) problems: string[];
}

/** The body of every error answer, as HttpErrorFilter writes it. */
export class ProblemView {
  @ApiProperty({ type: 'integer', example: 409, description: 'The HTTP status, repeated' })
  statusCode: number;

  @ApiProperty({
    example: 'AGENCY_ALREADY_REGISTERED',
    description: "Stable, for programs; each route's responses list the codes it answers",
  })
  code: string;

  @ApiProperty({
    example: 'Une agence est déjà enregistrée avec le SIRET 13002526500013.',
    description: 'For people, in French: what went wrong and what to do',
  })
  message: string;

  @ApiPropertyOptional({
    type: [FieldErrorView],
    description: 'VALIDATION_FAILED only: each invalid field and what is wrong with it',
  })
  errors?: FieldErrorView[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { retryAt: '2026-05-04T09:30:00.000Z' },
    description: 'Facts about the refusal a program can act on',
  })
  details?: Record<string, unknown>;
}

const MEANINGS = {
  400: 'The request is malformed or invalid',
  401: 'No valid bearer token',
  403: 'Not allowed for this caller',
  404: 'Not found, or not visible to this caller',
  409: 'In conflict with the current state',
  413: 'The body is too large',
  415: 'The body is in a character set or compression not accepted',
  422: 'Refused by a business rule',
  429: 'Too many attempts',
} as const;

export type ProblemStatus = keyof typeof MEANINGS;
/** Per status, the `code` values a route answers with. */
export type ProblemCodes = Partial<Record<ProblemStatus, readonly string[]>>;

const EXTENSION = 'x-problems';

/** An operation with the extensions the platform's decorators put in it. */
type Operation = OperationObject & { 'x-public'?: boolean; [EXTENSION]?: ProblemCodes };

/** Every operation of the document. */
export function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.values(document.paths).flatMap((item) =>
    [item.get, item.put, item.post, item.delete, item.patch].filter((operation) => operation !== undefined),
  );
}

/**
 * The problems a route answers beyond those that follow from its shape,
 * which `addProblemResponses` adds by itself: a bearer token (401
 * AUTH_TOKEN_MISSING/AUTH_TOKEN_INVALID, 403 AUTH_ROLE_FORBIDDEN), a JSON body
 * (400 VALIDATION_FAILED/BAD_REQUEST, 413 PAYLOAD_TOO_LARGE), query parameters
 * (400 VALIDATION_FAILED), path parameters (400 BAD_REQUEST from their
 * Parse*Pipe) and an Idempotency-Key header. One per route.
 */
export function ApiProblems(codes: ProblemCodes): MethodDecorator {
  return ApiExtension(EXTENSION, codes);
}

function isJsonBody(operation: Operation): boolean {
  const body = operation.requestBody;
  return body !== undefined && !('$ref' in body) && 'application/json' in body.content;
}

/** What every route of this shape can answer, whatever it does. */
function problemsOfShape(operation: Operation): ProblemCodes[] {
  const parameters = (operation.parameters ?? []).filter(
    (parameter: ParameterObject | ReferenceObject): parameter is ParameterObject => 'in' in parameter,
  );
  const has = (place: string, name?: string) =>
    parameters.some((parameter) => parameter.in === place && (name === undefined || parameter.name === name));
  return [
    operation['x-public'] ? {} : { 401: ['AUTH_TOKEN_MISSING', 'AUTH_TOKEN_INVALID'], 403: ['AUTH_ROLE_FORBIDDEN'] },
    isJsonBody(operation)
      ? {
          400: ['VALIDATION_FAILED', 'MALFORMED_JSON', ...HOSTILE_INPUT_CODES],
          413: ['PAYLOAD_TOO_LARGE'],
          415: ['UNSUPPORTED_MEDIA_TYPE'],
        }
      : {},
    has('query') ? { 400: ['VALIDATION_FAILED', ...HOSTILE_INPUT_CODES] } : {},
    has('path') ? { 400: ['BAD_REQUEST', ...HOSTILE_INPUT_CODES] } : {},
    has('header', 'Idempotency-Key') ? { 400: ['IDEMPOTENCY_KEY_REQUIRED'], 409: ['IDEMPOTENCY_KEY_REUSED'] } : {},
  ];
}

/** Per status, the codes of all the sources, each once. */
function merge(sources: ProblemCodes[]): Map<ProblemStatus, Set<string>> {
  const merged = new Map<ProblemStatus, Set<string>>();
  for (const source of sources) {
    for (const [status, codes] of Object.entries(source) as Array<[`${ProblemStatus}`, string[]]>) {
      const known = merged.get(Number(status) as ProblemStatus) ?? new Set<string>();
      for (const code of codes) known.add(code);
      merged.set(Number(status) as ProblemStatus, known);
    }
  }
  return merged;
}

/**
 * Gives every operation its problem responses, each with the shared
 * ProblemView schema and the codes it answers: those that follow from the
 * route's shape and those its `@ApiProblems` names.
 */
export function addProblemResponses(document: OpenAPIObject): void {
  for (const operation of operationsOf(document)) {
    const own = operation[EXTENSION] ?? {};
    delete operation[EXTENSION];
    for (const [status, codes] of merge([...problemsOfShape(operation), own])) {
      operation.responses[status] = {
        description: `${MEANINGS[status]}. \`code\`: ${[...codes].map((code) => `\`${code}\``).join(', ')}`,
        content: { 'application/json': { schema: { $ref: getSchemaPath(ProblemView) } } },
      };
    }
  }
}
