import * as fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { JsonSchema, Route } from './routes';

/*
 * Hostile requests built from a route's OpenAPI description: a valid-looking
 * request first (its target), then variants that break one thing at a time
 * (fixed catalogues for every route) or a few things at random (fast-check).
 */

type Path = Array<string | number>;
type JsonObject = Record<string, unknown>;

/** A JSON fragment sent as written: numbers JSON.stringify cannot write (2^53+1, 1e400), very deep nesting. */
export class RawJson {
  constructor(
    readonly text: string,
    readonly note?: string,
  ) {}

  [fc.toStringMethod](): string {
    return this.note ?? `raw(${this.text})`;
  }
}

/** A value that must be new in every request (a SIRET the service keeps unique): drawn again at each send. */
export class Fresh {
  constructor(readonly draw: () => string) {}

  [fc.toStringMethod](): string {
    return '<fresh>';
  }
}

/** The value itself, or one drawing of a fresh value. */
const plain = (value: unknown) => (value instanceof Fresh ? value.draw() : value);

/** JSON text of a value; own keys such as `__proto__` are written like any other. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Fresh) return JSON.stringify(value.draw());
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : toJson(item))).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${toJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A copy with `key` set as an own, enumerable property, even for `__proto__`. */
function withKey(object: JsonObject, key: string, value: unknown): JsonObject {
  const copy: JsonObject = {};
  for (const own of Object.keys(object)) define(copy, own, object[own]);
  define(copy, key, value);
  return copy;
}

function define(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

const DROP = Symbol('drop');

/** A copy of `root` where the value at `path` is replaced by `change(value)`, or removed when it gives DROP. */
function updated(root: unknown, path: Path, change: (value: unknown) => unknown): unknown {
  if (path.length === 0) return change(root);
  const [step, ...rest] = path;
  const next = (value: unknown) => (rest.length === 0 ? change(value) : updated(value, rest, change));
  if (Array.isArray(root)) {
    const copy = [...root];
    const value = next(copy[step as number]);
    if (value === DROP) copy.splice(step as number, 1);
    else copy[step as number] = value;
    return copy;
  }
  if (!isPlainObject(root)) return root;
  const copy: JsonObject = {};
  for (const key of Object.keys(root)) {
    const value = key === step ? next(root[key]) : root[key];
    if (value !== DROP) define(copy, key, value);
  }
  return copy;
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((value, step) => (value as Record<string | number, unknown> | undefined)?.[step], root);
}

// ---------------------------------------------------------------------------------------------
// The valid-looking request of a route

export interface Field {
  path: Path;
  name: string;
  kind: 'uuid' | 'date' | 'month' | 'string' | 'number' | 'boolean' | 'array' | 'object';
}

export interface Auth {
  label: string;
  token: string;
}

/** A route and the request that should get through to its logic: real ids, a token of a role it allows. */
export interface Target {
  key: string;
  url: string;
  method: string;
  path: string;
  /** Path parameters, not yet encoded. */
  params: Record<string, string>;
  query: Array<[string, string]>;
  queryNames: string[];
  headerNames: string[];
  body?: { type: 'json'; value: unknown } | { type: 'text'; contentType: string; value: string; multipart: boolean };
  /** Every value of the JSON body (nested ones included) and every object in it (the body first). */
  fields: Field[];
  objects: Path[];
  auth: Auth;
  /** Other tokens the route should answer soundly: its other roles, unknown organisations. */
  otherAuth: Auth[];
}

/** Replaced by a fresh UUID at each send, so that idempotency keys never collide by accident. */
export const FRESH_KEY = '<fresh idempotency key>';

export interface TargetOptions {
  url: string;
  params: Record<string, string>;
  query?: string;
  body?: unknown;
  auth: Auth;
  otherAuth: Auth[];
  /** A real id for a field or parameter named after what it points to (programId, agencyId…). */
  idFor: (name: string) => string | undefined;
  /** For a field the service keeps unique (siret…): how to draw a new valid value for each request. */
  freshFor: (name: string) => (() => string) | undefined;
}

export function targetOf(route: Route, options: TargetOptions): Target {
  const resolve = (schema: JsonSchema | undefined): JsonSchema => {
    let resolved = schema ?? {};
    while (resolved.$ref) resolved = route.schemas[resolved.$ref.split('/').pop()!] ?? {};
    return resolved;
  };
  const sample = (schema: JsonSchema | undefined, name: string): unknown => {
    const s = resolve(schema);
    if (s.type === 'object' || s.properties) {
      const object: JsonObject = {};
      // Optional properties too: each is then fuzzed, and dropped by a variant of its own.
      for (const [property, propertySchema] of Object.entries(s.properties ?? {}))
        object[property] = sample(propertySchema, property);
      return object;
    }
    if (s.format === 'uuid') return options.idFor(name) ?? randomUUID();
    if (s.example !== undefined) return s.example;
    if (s.enum?.length) return s.enum[0];
    if (s.default !== undefined) return s.default;
    if (s.type === 'array')
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items, singular(name)));
    if (s.type === 'number' || s.type === 'integer') return s.minimum ?? 1;
    if (s.type === 'boolean') return true;
    return 'x'.repeat(Math.max(1, s.minLength ?? 1));
  };

  const query = new URLSearchParams(options.query ?? '');
  for (const parameter of route.parameters)
    if (parameter.in === 'query' && parameter.required && !query.has(parameter.name))
      query.set(parameter.name, String(sample(parameter.schema, parameter.name)));

  let body: Target['body'];
  const json = route.body?.['application/json'];
  const text = route.body && Object.keys(route.body).find((type) => type.startsWith('text/'));
  /** Unique fields become fresh at every send, so that a variant is not merely a duplicate. */
  const freshen = (value: unknown, name: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => freshen(item, name));
    if (isPlainObject(value))
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, freshen(item, key)]));
    const draw = options.freshFor(name);
    return draw && typeof value === 'string' ? new Fresh(draw) : value;
  };
  if (json) body = { type: 'json', value: freshen(options.body ?? sample(json, 'body'), 'body') };
  else if (text)
    body = {
      type: 'text',
      contentType: text,
      value: typeof options.body === 'string' ? options.body : 'x',
      multipart: Boolean(route.body?.['multipart/form-data']),
    };

  const fields: Field[] = [];
  const objects: Path[] = [];
  const walk = (value: unknown, path: Path, name: string) => {
    if (isPlainObject(value)) {
      objects.push(path);
      for (const key of Object.keys(value)) {
        fields.push({ path: [...path, key], name: key, kind: kindOf(value[key], key) });
        walk(value[key], [...path, key], key);
      }
    } else if (Array.isArray(value) && value.length > 0) {
      fields.push({ path: [...path, 0], name, kind: kindOf(value[0], name) });
      walk(value[0], [...path, 0], name);
    }
  };
  if (body?.type === 'json') walk(body.value, [], 'body');

  return {
    key: `${route.service} ${route.method.toUpperCase()} ${route.path}`,
    url: options.url,
    method: route.method.toUpperCase(),
    path: route.path,
    params: options.params,
    query: [...query.entries()],
    queryNames: route.parameters.filter((p) => p.in === 'query').map((p) => p.name),
    headerNames: route.parameters.filter((p) => p.in === 'header').map((p) => p.name),
    body,
    fields,
    objects,
    auth: options.auth,
    otherAuth: options.otherAuth,
  };
}

const singular = (name: string) => name.replace(/s$/, '');

function kindOf(value: unknown, name: string): Field['kind'] {
  if (value instanceof Fresh) return kindOf(value.draw(), name);
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  const text = String(value);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text) || /Id$/.test(name)) return 'uuid';
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'date';
  if (/^\d{4}-\d{2}$/.test(text)) return 'month';
  return 'string';
}

// ---------------------------------------------------------------------------------------------
// Requests on the wire

/** A request as sent: everything already encoded. `as` names the token, which reports never print. */
export interface WireRequest {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  as: string;
}

export interface Changes {
  label: string;
  /** Path parameters already encoded (so that a test can send `%00` or `%FF` as is). */
  params?: Record<string, string>;
  /** Replaces the query string, already encoded. */
  query?: string;
  /** Header values; null removes the header. */
  headers?: Record<string, string | null>;
  /** A JSON value, or bytes with their content type (null: no Content-Type at all). */
  body?: { json: unknown } | { raw: string | Buffer; contentType: string | null };
  auth?: Auth;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes as its invalid UTF-8 bytes. */
export function encode(text: string): string {
  let encoded = '';
  let from = 0;
  for (const match of text.matchAll(LONE_SURROGATE)) {
    const unit = match[0].charCodeAt(0);
    const bytes = [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
    encoded +=
      encodeURIComponent(text.slice(from, match.index)) + bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    from = match.index + 1;
  }
  return encoded + encodeURIComponent(text.slice(from));
}

const encodeQuery = (pairs: Array<[string, string]>) =>
  pairs.map(([name, value]) => `${encode(name)}=${encode(value)}`).join('&');

export function wire(target: Target, changes: Changes): WireRequest {
  const params = Object.fromEntries(
    Object.entries(target.params).map(([name, value]) => [name, encodeURIComponent(value)]),
  );
  Object.assign(params, changes.params);
  const path = target.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? encodeURIComponent(randomUUID()));
  const query = changes.query ?? encodeQuery(target.query);
  const auth = changes.auth ?? target.auth;
  const headers: Record<string, string> = { authorization: `Bearer ${auth.token}` };
  for (const name of target.headerNames) headers[name.toLowerCase()] = FRESH_KEY;
  let body: string | Buffer | undefined;
  const given = changes.body;
  if (given && 'raw' in given) {
    body = given.raw;
    if (given.contentType !== null) headers['content-type'] = given.contentType;
  } else if (given) {
    body = toJson(given.json);
    headers['content-type'] = 'application/json';
  } else if (target.body?.type === 'json') {
    body = toJson(target.body.value);
    headers['content-type'] = 'application/json';
  } else if (target.body) {
    body = target.body.value;
    headers['content-type'] = target.body.contentType;
  }
  for (const [name, value] of Object.entries(changes.headers ?? {})) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  return {
    label: changes.label,
    method: target.method,
    path: query ? `${path}?${query}` : path,
    headers,
    body,
    as: auth.label,
  };
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  correlationId: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let sequence = 0;

/**
 * Sends a request and reads the whole answer. Each request carries its own
 * correlation id (`fuzz-<n>`), which the service's log lines repeat, so a
 * report leads to the stack of a failure.
 */
export function send(baseUrl: string, request: WireRequest, timeoutMs = 30_000): Promise<Answer> {
  const url = new URL(baseUrl);
  const correlationId = `fuzz-${process.pid}-${++sequence}`;
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, value === FRESH_KEY ? randomUUID() : value]),
  );
  headers['x-correlation-id'] = correlationId;
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers, agent },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            correlationId,
          }),
        );
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // A server may answer (413…) and close before reading a large body: the answer is what counts.
    outgoing.on('error', (error) => {
      if (!answered) reject(Object.assign(error, { correlationId }));
    });
    outgoing.end(request.body);
  });
}

/** What is wrong with an answer to bad input: a 5xx, or a 4xx that is not a { statusCode, code, message } problem. */
export function flawOf(answer: Answer): string | undefined {
  if (answer.status < 400) return undefined;
  let problem: { statusCode?: unknown; code?: unknown; message?: unknown };
  try {
    problem = JSON.parse(answer.text) as typeof problem;
  } catch {
    return `answered ${answer.status} without a JSON body: ${short(answer.text, 200)}`;
  }
  if (answer.status >= 500) return `answered ${answer.status} ${String(problem.code)}`;
  const sound =
    /application\/(problem\+)?json/.test(answer.contentType) &&
    problem.statusCode === answer.status &&
    typeof problem.code === 'string' &&
    problem.code.length > 0 &&
    typeof problem.message === 'string' &&
    problem.message.length > 0;
  return sound ? undefined : `answered ${answer.status} with a body that is not a problem: ${short(answer.text, 200)}`;
}

/** The request in a line or two, long values shortened, the token named by its role. */
export function describeRequest(request: WireRequest): string {
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'authorization')
    .map(([name, value]) => `${name}: ${value === FRESH_KEY ? '<fresh uuid>' : short(value, 80)}`);
  const body = request.body === undefined ? '' : ` body ${short(request.body.toString('utf8'), 240)}`;
  return `${request.method} ${short(request.path, 240)} as ${request.as} [${headers.join(', ')}]${body}`;
}

const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/** A value shown shortened, with its length when cut; control characters and lone surrogates escaped. */
export function short(text: string, max: number): string {
  const escape = (character: string) => `\\u{${character.codePointAt(0)!.toString(16)}}`;
  const escaped = text.replace(INVISIBLE, escape).replace(LONE_SURROGATE, escape);
  return escaped.length <= max ? escaped : `${escaped.slice(0, max)}… (${text.length} chars)`;
}

/** The same value with long strings shortened, for a counterexample to be read. */
export function compact(value: unknown): unknown {
  if (typeof value === 'string' && value.length > 60) return new RawJson('', show(value));
  if (Array.isArray(value)) return value.map(compact);
  if (!isPlainObject(value)) return value;
  const copy: JsonObject = {};
  for (const key of Object.keys(value)) define(copy, key, compact(value[key]));
  return copy;
}

function show(value: unknown): string {
  if (value instanceof RawJson) return value.note ?? value.text;
  if (typeof value === 'string') {
    const json = JSON.stringify(value);
    return json.length <= 60 ? json : `${JSON.stringify(value.slice(0, 12)).slice(0, -1)}…" (${value.length} chars)`;
  }
  const json = toJson(value);
  return json.length <= 60 ? json : `${json.slice(0, 50)}… (${json.length} chars)`;
}

// ---------------------------------------------------------------------------------------------
// Fixed catalogues: every route gets all of these that apply to it

const NESTED_ARRAYS = new RawJson(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'arrays nested 5,000 deep');
const NESTED_OBJECTS = new RawJson(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 'objects nested 5,000 deep');
const OVERSIZE_BYTES = 4 * 1024 * 1024;

const CONTROL_CHARACTERS = '\u0001\u0002\u0008\u000b\u000c\u000e\u001b[31m\u001f\u007f\u0085';

/** The ones a database refuses first: they must meet the resource before any variant is accepted. */
function hostileStrings(base: string): unknown[] {
  return [
    '\u0000',
    `${base}\u0000`,
    `\u0000${base}`,
    `${base}\ud800`,
    `${base}${CONTROL_CHARACTERS}`,
    `${base}\u2028\u2029\u202e`,
    '',
    '   ',
    '🙂'.repeat(20),
    `  ${base}  `,
    "' OR '1'='1' --",
    '%00',
    '../../../../etc/passwd',
    '<script>alert(1)</script>',
    'x'.repeat(10_000),
    'a'.repeat(100_000),
    'é'.repeat(60_000),
  ];
}

const hostileDates = (base: string) => [
  '2025-02-30',
  '2025-02-29',
  '2024-02-30',
  '2025-04-31',
  '2025-13-01',
  '2025-00-10',
  '2025-01-00',
  '0000-01-01',
  '9999-12-31',
  '275760-09-13',
  '+275760-09-13',
  '-000001-01-01',
  '2025-1-1',
  '2025/01/01',
  '20250101',
  `${base}T25:00:00Z`,
  `${base}\u0000`,
  'aaaa-bb-cc',
];

const hostileMonths = (base: string) => [
  '2025-13',
  '2025-00',
  '0000-01',
  '9999-12',
  '275760-09',
  '2025-1',
  '2025-02-30',
  `${base}\u0000`,
  'aaaa-bb',
];

const hostileUuids = (base: string) => [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  base.toUpperCase(),
  base.replace(/-/g, ''),
  `{${base}}`,
  `${base}0`,
  `${base}\u0000`,
  randomUUID(),
  "' OR '1'='1",
];

const hostileNumbers = (base: number) => [
  -1,
  0,
  0.5,
  -0.5,
  base + 0.5,
  1e20,
  -1e20,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  new RawJson('9007199254740993', '2^53+1'),
  new RawJson('99999999999999999999999999999999'),
  new RawJson('1e400'),
  new RawJson('-1e400'),
  new RawJson('1e-400'),
  new RawJson('-0'),
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  Number.MIN_VALUE,
  'NaN',
  'Infinity',
  '1e20',
  '0x10',
  ' 1',
  '12abc',
];

function typeConfusions(kind: Field['kind'], base: unknown): unknown[] {
  switch (kind) {
    case 'number':
      return [null, true, '1', 'abc', {}, [], [base]];
    case 'boolean':
      return [null, 'true', 1, {}, []];
    case 'array':
      return [null, 'x', 0, {}, (base as unknown[])[0] ?? 'x', { 0: (base as unknown[])[0], length: 1 }];
    case 'object':
      return [null, 'x', 0, [], [base]];
    default:
      return [null, true, 0, 12.5, {}, [], [base]];
  }
}

function hostileValues(field: Field, base: unknown): unknown[] {
  const specific = (() => {
    switch (field.kind) {
      case 'uuid':
        return hostileUuids(String(base));
      case 'date':
        return hostileDates(String(base));
      case 'month':
        return hostileMonths(String(base));
      case 'string':
        return hostileStrings(String(base));
      case 'number':
        return hostileNumbers(base as number);
      case 'array': {
        const items = base as unknown[];
        const first = items[0] ?? 'x';
        return [[], [null], [first, first], [[first]], ['\u0000'], Array.from({ length: 1001 }, () => first)];
      }
      default:
        return [];
    }
  })();
  return [...specific, ...typeConfusions(field.kind, base), NESTED_ARRAYS, NESTED_OBJECTS];
}

/** Keys a careless merge or lookup trips on, and one the DTO does not declare. */
const HOSTILE_KEYS: Array<[string, unknown]> = [
  ['unexpectedField', 1],
  ['__proto__', { polluted: true }],
  ['__proto__', null],
  ['constructor', { prototype: { polluted: true } }],
  ['prototype', { polluted: true }],
  ['toString', 'x'],
  ['hasOwnProperty', 1],
  ['then', {}],
  ['a\u0000b', 1],
  ['deep', NESTED_OBJECTS],
];

const HOSTILE_SEGMENTS = [
  'not-a-uuid',
  '1',
  '-1',
  '0',
  'null',
  'undefined',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '%00',
  '%FF',
  '%2e%2e',
  '%2F',
  '%20',
  encodeURIComponent("' OR '1'='1"),
  encodeURIComponent('🙂'),
  'a'.repeat(2000),
];

const GENERIC_QUERIES = [
  'page=-1',
  'page=0',
  'page=abc',
  'page=1.5',
  'page=NaN',
  'page=Infinity',
  'page=9007199254740993',
  'page=1e400',
  'pageSize=1000000000',
  'pageSize=1e9',
  'pageSize=-1',
  'pageSize=0',
  'page=1&page=2',
  'page[]=1',
  'page[a]=1',
  'from=2025-02-30',
  'to=2025-13-01',
  'from=9999-12-31&to=0000-01-01',
  'from=%00',
  'programId=not-a-uuid',
  'programId=%00',
  'status=bogus',
  'unexpected=1',
  '%FF=1',
  'a=%FF',
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  '=&&=',
  `${'q'.repeat(6000)}=1`,
];

const PARSER_QUERIES = [
  'unexpected=1',
  '%FF=1',
  'a=%FF',
  'a[b][c]=1',
  '__proto__[polluted]=1',
  `${'q'.repeat(6000)}=1`,
];

const hostileQueryValues = (name: string) => [
  `${name}=`,
  `${name}=%00`,
  `${name}=x`,
  `${name}=-1`,
  `${name}=1e9`,
  `${name}=2025-02-30`,
  `${name}=${'a'.repeat(3000)}`,
  `${name}=${encodeURIComponent("' OR '1'='1")}`,
  `${name}=a&${name}=b`,
  `${name}[]=x`,
  `${name}[a]=x`,
];

const HOSTILE_HEADER_VALUES: Array<string | null> = [null, '', ' ', 'x'.repeat(201), 'x'.repeat(8000), 'é', 'a\tb'];

/** Sends bodies the parser, not the DTO, has to refuse: every route goes through the same parser. */
function parserCases(target: Target): Changes[] {
  const base = target.body?.type === 'json' ? toJson(target.body.value) : '{"a":1}';
  const cases: Changes[] = [
    { label: 'malformed JSON', body: { raw: '{"a":', contentType: 'application/json' } },
    { label: 'JSON with a trailing comma', body: { raw: '{"a":1,}', contentType: 'application/json' } },
    { label: 'JSON with single quotes', body: { raw: "{'a':1}", contentType: 'application/json' } },
    { label: 'a NUL byte as JSON', body: { raw: '\u0000', contentType: 'application/json' } },
    {
      label: 'invalid UTF-8 in JSON',
      body: { raw: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), contentType: 'application/json' },
    },
    { label: 'JSON in UTF-16', body: { raw: base, contentType: 'application/json; charset=utf-16' } },
    { label: 'JSON in an unknown charset', body: { raw: base, contentType: 'application/json; charset=klingon' } },
    {
      label: 'gzip content encoding on plain JSON',
      body: { raw: base, contentType: 'application/json' },
      headers: { 'content-encoding': 'gzip' },
    },
    {
      label: 'unknown content encoding',
      body: { raw: base, contentType: 'application/json' },
      headers: { 'content-encoding': 'x-unknown' },
    },
    {
      label: 'a form with 2,000 fields',
      body: {
        raw: Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&'),
        contentType: 'application/x-www-form-urlencoded',
      },
    },
    {
      label: 'a form 30 brackets deep',
      body: { raw: `a${'[b]'.repeat(30)}=1&__proto__[polluted]=1`, contentType: 'application/x-www-form-urlencoded' },
    },
  ];
  if (target.method === 'GET') return cases;
  return [
    ...cases,
    { label: 'JSON with a byte-order mark', body: { raw: `\ufeff${base}`, contentType: 'application/json' } },
    { label: 'JSON followed by garbage', body: { raw: `${base}garbage`, contentType: 'application/json' } },
    { label: 'an empty JSON body', body: { raw: '', contentType: 'application/json' } },
    { label: 'JSON null', body: { raw: 'null', contentType: 'application/json' } },
    { label: 'a JSON string', body: { raw: '"x"', contentType: 'application/json' } },
    { label: 'a JSON number', body: { raw: '1', contentType: 'application/json' } },
    { label: 'a JSON array', body: { raw: '[]', contentType: 'application/json' } },
    { label: 'the body in an array', body: { raw: `[${base}]`, contentType: 'application/json' } },
    { label: 'arrays nested 5,000 deep', body: { json: NESTED_ARRAYS } },
    { label: 'objects nested 5,000 deep', body: { json: NESTED_OBJECTS } },
    { label: 'the JSON as text/plain', body: { raw: base, contentType: 'text/plain' } },
    { label: 'XML', body: { raw: '<?xml version="1.0"?><a>1</a>', contentType: 'application/xml' } },
    { label: 'JSON without a content type', body: { raw: base, contentType: null } },
    { label: 'multipart without a boundary', body: { raw: base, contentType: 'multipart/form-data' } },
    {
      label: 'truncated multipart',
      body: {
        raw: '--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nx',
        contentType: 'multipart/form-data; boundary=b',
      },
    },
    {
      label: `a JSON body of ${OVERSIZE_BYTES / 1024 / 1024} MB`,
      body: { raw: `{"padding":"${'a'.repeat(OVERSIZE_BYTES)}"}`, contentType: 'application/json' },
    },
  ];
}

function multipart(text: string, field = 'file'): { raw: string; contentType: string } {
  const boundary = 'fuzzboundary';
  return {
    raw: `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="f.csv"\r\nContent-Type: text/csv\r\n\r\n${text}\r\n--${boundary}--\r\n`,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

function textCases(target: Target): Changes[] {
  if (target.body?.type !== 'text') return [];
  const { value, contentType } = target.body;
  const [header, ...rows] = value.split('\n');
  const row = rows.find((line) => line.trim()) ?? 'x';
  const texts: Array<[string, string]> = [
    ['only the header', header],
    ['a NUL in a row', `${header}\n${row.replace(/,/, ',\u0000')}`],
    ['control characters in a row', `${header}\n${row.replace(/,/, `,${CONTROL_CHARACTERS}`)}`],
    ['an unbalanced quote', `${header}\n"${row}`],
    ['a row with too many columns', `${header}\n${row},extra,extra`],
    ['a value of 100,000 characters', `${header}\n${row.replace(/,/, `,${'a'.repeat(100_000)},`)}`],
    ['a NUL byte only', '\u0000'],
    ['a blank text', '   \n  \n'],
    ['a JSON document', '{"a":1}'],
    ['10,000 copies of a row', `${header}\n${Array.from({ length: 10_000 }, () => row).join('\n')}`],
  ];
  return [
    ...texts.map(([label, text]): Changes => ({ label: `${contentType}: ${label}`, body: { raw: text, contentType } })),
    {
      label: `${contentType}: invalid UTF-8`,
      body: { raw: Buffer.concat([Buffer.from(`${header}\n`), Buffer.from([0xff, 0xfe, 0xc3])]), contentType },
    },
    ...(target.body.multipart
      ? [
          { label: 'multipart: a NUL in a row', body: multipart(`${header}\n${row.replace(/,/, ',\u0000')}`) },
          { label: 'multipart: the file under another field name', body: multipart(value, 'other') },
          { label: 'multipart: an empty file', body: multipart('') },
        ]
      : []),
  ];
}

/**
 * Every fixed hostile variant of a target, one thing broken at a time; built lazily (some are
 * megabytes). The body's values come first and the valid-looking request last: a route that
 * changes a state (suspends a site, closes a program) accepts only once, and the values that
 * may reach the database should meet the resource before that.
 */
export function* fixedCases(target: Target): Generator<WireRequest> {
  if (target.body?.type === 'json') {
    const body = target.body.value;
    for (const field of target.fields) {
      const where = `body.${field.path.join('.')}`;
      const base = plain(valueAt(body, field.path));
      for (const value of hostileValues(field, base))
        yield wire(target, {
          label: `${where} = ${show(value)}`,
          body: { json: updated(body, field.path, () => value) },
        });
      yield wire(target, { label: `${where} missing`, body: { json: updated(body, field.path, () => DROP) } });
    }
    for (const path of target.objects) {
      const where = path.length ? `body.${path.join('.')}` : 'body';
      for (const [key, value] of HOSTILE_KEYS)
        yield wire(target, {
          label: `${where} with ${JSON.stringify(key)}: ${show(value)}`,
          body: { json: updated(body, path, (object) => withKey(object as JsonObject, key, value)) },
        });
    }
  }
  for (const changes of textCases(target)) yield wire(target, changes);
  for (const changes of parserCases(target)) yield wire(target, changes);
  for (const name of target.headerNames) {
    for (const value of HOSTILE_HEADER_VALUES)
      yield wire(target, {
        label: value === null ? `header ${name} missing` : `header ${name} = ${short(value, 40)}`,
        headers: { [name]: value },
      });
  }
  for (const name of Object.keys(target.params)) {
    for (const segment of HOSTILE_SEGMENTS)
      yield wire(target, { label: `path ${name} = ${short(segment, 40)}`, params: { [name]: segment } });
  }
  const baseQuery = encodeQuery(target.query);
  const withBase = (extra: string) => (baseQuery ? `${baseQuery}&${extra}` : extra);
  // A route without query parameters only meets the query parser: a few cases say it copes.
  const queries = target.queryNames.length > 0 ? GENERIC_QUERIES : PARSER_QUERIES;
  const sent = new Set<string>();
  for (const extra of queries) {
    sent.add(withBase(extra));
    yield wire(target, { label: `query ${short(extra, 60)}`, query: withBase(extra) });
  }
  for (const name of target.queryNames) {
    const others = encodeQuery(target.query.filter(([key]) => key !== name));
    for (const hostile of hostileQueryValues(name)) {
      const query = others ? `${others}&${hostile}` : hostile;
      if (!sent.has(query)) yield wire(target, { label: `query ${short(hostile, 60)}`, query });
    }
  }
  for (const auth of target.otherAuth) yield wire(target, { label: `the request as ${auth.label}`, auth });
  for (const name of target.headerNames) {
    const reused = `fuzz-reused-${randomUUID()}`;
    yield wire(target, { label: `header ${name} used once`, headers: { [name]: reused } });
    if (target.body?.type === 'json')
      yield wire(target, {
        label: `header ${name} used again with another body`,
        headers: { [name]: reused },
        body: {
          json: updated(target.body.value, [], (body) => (isPlainObject(body) ? withKey(body, 'other', 1) : body)),
        },
      });
  }
  yield wire(target, { label: 'the valid-looking request' });
}

// ---------------------------------------------------------------------------------------------
// Random variants: a few changes at once, drawn by fast-check, which shrinks a failure to its core

export type Mutation =
  | { set: Path; value: unknown }
  | { append: Path; text: string }
  | { drop: Path }
  | { add: Path; key: string; value: unknown }
  | { param: string; segment: string }
  | { query: string; values: string[] }
  | { header: string; value: string | null }
  | { text: number; insert: string };

const hostileCharacter = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\ufffd',
  '🙂',
  'é',
  "'",
  '"',
  '\\',
  '%',
  '-',
  '0',
  '9',
  'a',
  ' ',
  '\n',
);
const shortHostileText = fc.oneof(
  fc.string({ unit: hostileCharacter, maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 24 }),
);
const hostileText = fc.oneof(shortHostileText, fc.constantFrom('x'.repeat(100_000), 'é'.repeat(60_000)));
/** In a URL: Node itself refuses a request line over 16 KiB (431, before any application code). */
const urlText = fc.oneof(shortHostileText, fc.constant('x'.repeat(3000)));
const dateText = fc
  .tuple(fc.integer({ min: -1, max: 300_000 }), fc.integer({ min: -1, max: 99 }), fc.integer({ min: -1, max: 99 }))
  .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 31) - 2, max: 2 ** 31 + 2 }),
  fc.double(),
  fc.constantFrom(2 ** 31, 2 ** 53, 1e20, -1, 0, 0.5, Number.MAX_SAFE_INTEGER),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => new RawJson(n.toString())),
  fc.constantFrom(new RawJson('1e400'), new RawJson('-0'), new RawJson('9007199254740993', '2^53+1')),
);
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  dateText,
  hostileNumber,
  fc.uuid(),
  fc.constantFrom(null, true, false, {}, [], NESTED_ARRAYS, NESTED_OBJECTS),
  fc.jsonValue({ maxDepth: 2 }),
);
const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'then', 'length', 'unexpectedField'),
  fc.string({ maxLength: 12 }),
);
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 250,
});

export function mutationsFor(target: Target): fc.Arbitrary<Mutation[]> {
  const { fields, objects } = target;
  const choices: Array<fc.Arbitrary<Mutation>> = [
    fc.record({
      query: fc.oneof(
        fc.constantFrom('page', 'pageSize', 'from', 'to', 'programId', ...target.queryNames),
        fc.string({ maxLength: 8 }),
      ),
      values: fc.array(
        fc.oneof(
          urlText,
          dateText,
          hostileNumber.map((n) => toJson(n)),
        ),
        { minLength: 1, maxLength: 2 },
      ),
    }),
  ];
  const params = Object.keys(target.params);
  if (params.length > 0)
    choices.push(
      fc.record({
        param: fc.constantFrom(...params),
        segment: fc.oneof(
          fc.constantFrom(...HOSTILE_SEGMENTS),
          urlText.map((text) => encode(text)),
        ),
      }),
    );
  if (target.headerNames.length > 0)
    choices.push(
      fc.record({ header: fc.constantFrom(...target.headerNames), value: fc.option(headerText, { nil: null }) }),
    );
  if (fields.length > 0) {
    const paths = fc.constantFrom(...fields.map((field) => field.path));
    choices.push(
      fc.record({ set: paths, value: hostileValue }),
      fc.record({ drop: paths }),
      fc.record({ add: fc.constantFrom(...objects), key: hostileKey, value: hostileValue }),
    );
    const strings = fields.filter((field) => !['number', 'boolean', 'array', 'object'].includes(field.kind));
    if (strings.length > 0)
      choices.push(fc.record({ append: fc.constantFrom(...strings.map((field) => field.path)), text: hostileText }));
  }
  if (target.body?.type === 'text')
    choices.push(fc.record({ text: fc.double({ min: 0, max: 1, noNaN: true }), insert: hostileText }));
  return fc.array(fc.oneof(...choices), { minLength: 1, maxLength: 3 });
}

export function applyMutations(target: Target, mutations: Mutation[]): WireRequest {
  let body = target.body?.value;
  const params: Record<string, string> = {};
  const query = target.query.map(([name, value]) => `${encode(name)}=${encode(value)}`);
  const headers: Record<string, string | null> = {};
  for (const mutation of mutations) {
    if ('set' in mutation) body = updated(body, mutation.set, () => mutation.value);
    else if ('append' in mutation)
      body = updated(body, mutation.append, (value) => `${String(plain(value))}${mutation.text}`);
    else if ('drop' in mutation) body = updated(body, mutation.drop, () => DROP);
    else if ('add' in mutation)
      body = updated(body, mutation.add, (object) =>
        isPlainObject(object) ? withKey(object, mutation.key, mutation.value) : object,
      );
    else if ('param' in mutation) params[mutation.param] = mutation.segment;
    else if ('query' in mutation)
      query.push(...mutation.values.map((value) => `${encode(mutation.query)}=${encode(value)}`));
    else if ('header' in mutation) headers[mutation.header] = mutation.value;
    else if (typeof body === 'string') {
      const at = Math.floor(mutation.text * body.length);
      body = `${body.slice(0, at)}${mutation.insert}${body.slice(at)}`;
    }
  }
  const changes: Changes = { label: 'random', params, query: query.join('&'), headers };
  if (target.body?.type === 'json') changes.body = { json: body };
  else if (target.body?.type === 'text') changes.body = { raw: body as string, contentType: target.body.contentType };
  return wire(target, changes);
}
