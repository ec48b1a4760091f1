import request from 'supertest';
import type { Role } from '@app/auth';
import type { Platform, ServiceKey } from './platform';

/** The part of JSON Schema that @nestjs/swagger writes for DTOs. */
export interface JsonSchema {
  $ref?: string;
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  example?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

export interface RouteParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

/** One operation of a service, as its OpenAPI document describes it. */
export interface Route {
  service: ServiceKey;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  roles: Role[] | 'public';
  parameters: RouteParameter[];
  /** The request body's schema by media type, when the operation declares one. */
  body?: Record<string, JsonSchema>;
  /** The document's components.schemas, against which the body's $refs resolve. */
  schemas: Record<string, JsonSchema>;
  /** Per 4xx status, the `code` values its document lists. */
  problems: Record<string, string[]>;
}

interface OpenApiOperation {
  'x-public'?: boolean;
  'x-roles'?: Role[];
  parameters?: RouteParameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { description: string }>;
}

/** The codes each problem response lists in its description (`code`: `A`, `B`), per status. */
function documentedProblems(responses: Record<string, { description: string }>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(responses).map(([status, { description }]) => [
      status,
      [...(description.split('`code`:')[1] ?? '').matchAll(/`(\w+)`/g)].map((match) => match[1]),
    ]),
  );
}

/** Every operation of every service, from the OpenAPI document each one serves at /docs-json. */
export async function discoverRoutes(platform: Platform): Promise<Route[]> {
  const routes: Route[] = [];
  for (const service of Object.keys(platform) as ServiceKey[]) {
    const document = (await request(platform[service].url).get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, OpenApiOperation>>;
      components?: { schemas?: Record<string, JsonSchema> };
    };
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const content = operation.requestBody?.content;
        routes.push({
          service,
          method: method as Route['method'],
          path,
          roles: operation['x-public'] ? 'public' : (operation['x-roles'] as Role[]),
          parameters: operation.parameters ?? [],
          body: content && Object.fromEntries(Object.entries(content).map(([type, { schema }]) => [type, schema])),
          schemas: document.components?.schemas ?? {},
          problems: documentedProblems(operation.responses ?? {}),
        });
      }
    }
  }
  return routes;
}

export const keyOf = (route: Pick<Route, 'service' | 'method' | 'path'>) =>
  `${route.service} ${route.method.toUpperCase()} ${route.path}`;
