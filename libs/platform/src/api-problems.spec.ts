import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { addProblemResponses } from './api-problems';

const ok = { 200: { description: 'OK' } };
const jsonBody = { content: { 'application/json': { schema: { type: 'object' as const } } } };

function documentWith(operations: Record<string, OperationObject>): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 'test', version: '1' },
    paths: Object.fromEntries(Object.entries(operations).map(([path, operation]) => [path, { post: operation }])),
  };
}

/** Per status, the codes listed in the response's description. */
function codesOf(document: OpenAPIObject, path: string): Record<string, string> {
  const responses = document.paths[path].post!.responses as Record<string, { description: string }>;
  return Object.fromEntries(
    Object.entries(responses).map(([status, { description }]) => [status, description.split('`code`: ')[1] ?? '']),
  );
}

describe('addProblemResponses', () => {
  it('gives a protected JSON route its token, body and path problems, then its own', () => {
    const document = documentWith({
      '/things/{id}': {
        responses: { ...ok },
        requestBody: jsonBody,
        parameters: [{ name: 'id', in: 'path', required: true }],
        'x-roles': ['operator'],
        'x-problems': { 404: ['THING_NOT_FOUND'], 409: ['THING_TAKEN'] },
      } as OperationObject,
    });

    addProblemResponses(document);

    expect(codesOf(document, '/things/{id}')).toEqual({
      200: '',
      400: '`VALIDATION_FAILED`, `MALFORMED_JSON`, `CONTROL_CHARACTER`, `TEXT_TOO_LONG`, `NUMBER_OUT_OF_RANGE`, `INPUT_TOO_DEEP`, `FIELD_NOT_ALLOWED`, `BAD_REQUEST`',
      401: '`AUTH_TOKEN_MISSING`, `AUTH_TOKEN_INVALID`',
      403: '`AUTH_ROLE_FORBIDDEN`',
      404: '`THING_NOT_FOUND`',
      409: '`THING_TAKEN`',
      413: '`PAYLOAD_TOO_LARGE`',
      415: '`UNSUPPORTED_MEDIA_TYPE`',
    });
    const operation = document.paths['/things/{id}'].post!;
    expect(operation['x-problems' as keyof OperationObject]).toBeUndefined();
    expect(operation.responses[404]).toEqual({
      description: 'Not found, or not visible to this caller. `code`: `THING_NOT_FOUND`',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ProblemView' } } },
    });
  });

  it('adds the Idempotency-Key refusals to the route’s own, each code once', () => {
    const document = documentWith({
      '/orders': {
        responses: { ...ok },
        parameters: [
          { name: 'Idempotency-Key', in: 'header', required: true },
          { name: 'page', in: 'query' },
        ],
        'x-problems': { 400: ['VALIDATION_FAILED'], 409: ['ORDER_TOO_BIG'] },
      } as OperationObject,
    });

    addProblemResponses(document);

    expect(codesOf(document, '/orders')).toMatchObject({
      400: '`VALIDATION_FAILED`, `CONTROL_CHARACTER`, `TEXT_TOO_LONG`, `NUMBER_OUT_OF_RANGE`, `INPUT_TOO_DEEP`, `FIELD_NOT_ALLOWED`, `IDEMPOTENCY_KEY_REQUIRED`',
      409: '`IDEMPOTENCY_KEY_REUSED`, `ORDER_TOO_BIG`',
    });
  });

  it('leaves a public route without a body with no problem to document', () => {
    const document = documentWith({ '/health': { responses: { ...ok }, 'x-public': true } as OperationObject });

    addProblemResponses(document);

    expect(codesOf(document, '/health')).toEqual({ 200: '' });
  });

  it('does not promise body validation to a route whose body is not JSON', () => {
    const document = documentWith({
      '/import': {
        responses: { ...ok },
        requestBody: { content: { 'text/csv': { schema: { type: 'string' } } } },
        'x-roles': ['operator'],
      } as OperationObject,
    });

    addProblemResponses(document);

    expect(Object.keys(codesOf(document, '/import'))).toEqual(['200', '401', '403']);
  });
});
