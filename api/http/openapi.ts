import { STATUS_CODES } from 'node:http';
import type { TSchema } from '@sinclair/typebox';
import type { RouteDefinition } from './route';
import { AnimeFieldsSchema, AnimeSchema, ProblemSchema } from './schemas';

const COMPONENTS: TSchema[] = [AnimeSchema, AnimeFieldsSchema, ProblemSchema];

/** Schemas reference shared components as `#/components/schemas/<$id>`; strip TypeBox's own markers. */
function toOpenApiSchema(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema), (key, value) => {
    if (key === '$ref' && typeof value === 'string' && !value.startsWith('#'))
      return `#/components/schemas/${value}`;
    return value;
  });
}

function withoutId(schema: TSchema): unknown {
  const { $id: _id, ...rest } = toOpenApiSchema(schema) as Record<string, unknown>;
  return rest;
}

function parameters(route: RouteDefinition) {
  const params: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const required = new Set(schema.required ?? []);
    for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
      params.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(property.description ? { description: property.description } : {}),
        schema: toOpenApiSchema(property),
        ...(property.type === 'array' ? { style: 'form', explode: true } : {}),
      });
    }
  }
  const header = (name: string) => ({ $ref: `#/components/parameters/${name}` });
  if (route.method === 'get' && route.cache) params.push(header('If-None-Match'), header('Cache-Control'));
  if (route.ifMatch) params.push(header('If-Match'));
  if (route.queryFromHeaders) params.push(header('Prefer'));
  params.push(header('X-Request-Id'));
  return params;
}

/** Every tag an operation may carry, with what it groups. */
const TAGS: Record<string, string> = {
  animes: 'The catalogue itself: pages, the whole list, one record, and the admin writes',
  catalogue: 'Counts and statistics over the catalogue, with the same filters as the lists',
  auth: 'Accounts and access tokens',
  admin: 'Operating the cache (admin only)',
  operations: 'Liveness and readiness for load balancers and deploys',
};

/** Request headers the operations take, declared once. */
const HEADER_PARAMETERS = {
  'If-None-Match': {
    name: 'If-None-Match',
    in: 'header',
    required: false,
    description: "An ETag this client holds (any coding's form): 304 when it still names the representation",
    schema: { type: 'string' },
    example: '"12.7"',
  },
  Prefer: {
    name: 'Prefer',
    in: 'header',
    required: false,
    description: 'count=exact: also count every match (RFC 7240; the same as the count parameter)',
    schema: { type: 'string' },
    example: 'count=exact',
  },
  'If-Match': {
    name: 'If-Match',
    in: 'header',
    required: false,
    description:
      'The ETag of the anime as last read or written (e.g. "12.7"), or its version ("7"): 412 when it has changed since; * or none: unconditional',
    schema: { type: 'string' },
    example: '*',
  },
  'Cache-Control': {
    name: 'Cache-Control',
    in: 'header',
    required: false,
    description:
      'only-if-cached: answer from the cache or 504, never a database read. no-cache and max-age=0 are met by every answer (the cache is coherent with the database); see docs/cache.md',
    schema: { type: 'string' },
    example: 'no-cache',
  },
  'X-Request-Id': {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description:
      "The caller's id for this request (letters, digits, . _ : -, up to 128), echoed and logged; otherwise one is made",
    schema: { type: 'string' },
    example: 'checkout-7f3c2a',
  },
};

/** Response headers, declared once and referenced by the responses that carry them. */
const RESPONSE_HEADERS = {
  ETag: { description: 'Strong validator of this representation in this coding', schema: { type: 'string' } },
  Location: { description: 'The created resource', schema: { type: 'string', format: 'uri-reference' } },
  Link: { description: 'The next page: <…>; rel="next"', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
  'WWW-Authenticate': { description: 'Bearer challenge (RFC 6750)', schema: { type: 'string' } },
  'X-Request-Id': { description: "This request's id, in the logs too", schema: { type: 'string' } },
  'X-Total-Count': {
    description: 'Every match of the filters; only when the count was asked for',
    schema: { type: 'integer', minimum: 0 },
  },
  'Preference-Applied': { description: 'count=exact when the count was given', schema: { type: 'string' } },
  Allow: { description: 'The methods this path has', schema: { type: 'string' } },
};
const headerRef = (name: keyof typeof RESPONSE_HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** Headers a problem of this status carries besides X-Request-Id. */
const PROBLEM_HEADERS: Record<number, (keyof typeof RESPONSE_HEADERS)[]> = {
  401: ['WWW-Authenticate'],
  405: ['Allow'],
  429: ['Retry-After'],
  503: ['Retry-After'],
};

const problemResponse = (status: number) => ({
  description: STATUS_CODES[status],
  headers: Object.fromEntries(
    ['X-Request-Id' as const, ...(PROBLEM_HEADERS[status] ?? [])].map((name) => [name, headerRef(name)]),
  ),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** Headers of a route's success response. */
function successHeaders(route: RouteDefinition) {
  const names: (keyof typeof RESPONSE_HEADERS)[] = ['X-Request-Id'];
  if ((route.method === 'get' && route.cache) || route.etag) names.push('ETag');
  if (route.method === 'post' && route.response.status === 201) names.push('Location');
  if (route.responseHeaders) names.push('Link');
  if (route.queryFromHeaders && route.query?.properties.count)
    names.push('X-Total-Count', 'Preference-Applied');
  return Object.fromEntries(names.map((name) => [name, headerRef(name)]));
}

/** The OpenAPI 3.1 document, built from the same route schemas that validate requests. */
export function buildOpenApi(routes: readonly RouteDefinition[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const problems = new Set<number>([
      ...(route.query || route.params || route.body ? [400] : []),
      // Every route with a body answers JSON (or CSV) only (406), and a route with a body takes JSON only (415),
      // up to 64 KB (413); a write may find the store busy (503 with Retry-After). A method the
      // path lacks is 405 with Allow, which an operation's responses are the place to say.
      405,
      ...(route.response.schema ? [406] : []),
      ...(route.body ? [413, 415] : []),
      ...(route.method !== 'get' && route.access ? [503] : []),
      ...(route.access ? [401] : []),
      ...(route.access === 'admin' ? [403] : []),
      // Catalogue reads (the cacheable ones) are bounded per instance: see READ_CONCURRENCY.
      ...(route.method === 'get' && route.cache ? [429, 503, 504] : []),
      ...(route.problems ?? []),
    ]);
    const responses: Record<string, unknown> = {
      [route.response.status]: {
        description: route.response.description,
        headers: successHeaders(route),
        ...(route.response.schema
          ? {
              content: {
                'application/json': { schema: toOpenApiSchema(route.response.schema) },
                ...(route.response.csv
                  ? { 'text/csv': { schema: { type: 'string', description: route.response.csv } } }
                  : {}),
              },
            }
          : {}),
      },
    };
    if (route.method === 'get' && route.cache)
      responses['304'] = {
        description: 'Not Modified (If-None-Match matched)',
        headers: { ETag: headerRef('ETag'), 'X-Request-Id': headerRef('X-Request-Id') },
      };
    for (const status of [...problems].sort()) responses[status] = problemResponse(status);
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      description: route.description,
      tags: route.tags,
      parameters: parameters(route),
      security: route.access ? [{ bearerAuth: [] }] : [],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: withoutId(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  const undeclared = routes.flatMap((r) => r.tags).filter((tag) => !(tag in TAGS));
  if (undeclared.length)
    throw new Error(`OpenAPI tags without a description: ${[...new Set(undeclared)].join(', ')}`);
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'An anime catalogue: filtered, keyset-paginated reads answered from a coherent cache, admin writes with If-Match, accounts with short-lived bearer tokens. Errors are RFC 9457 problem+json.',
      license: { name: 'MIT', identifier: 'MIT' },
      contact: { name: 'anime-platform maintainers' },
    },
    // Relative: the document is served by the API it describes, wherever that is deployed.
    servers: [{ url: '/', description: 'This API, where the document is served' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: Object.fromEntries(COMPONENTS.map((s) => [s.$id!, withoutId(s)])),
      parameters: HEADER_PARAMETERS,
      headers: RESPONSE_HEADERS,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'From POST /auth/signin',
        },
      },
    },
  };
}

/** What a browser on another origin needs of a document: the headers it may send and read. */
export interface DocumentedHeaders {
  /** Every request header an operation declares, Authorization where one needs a token, Content-Type where one takes a body. */
  readonly request: readonly string[];
  /** Every response header a response declares. */
  readonly response: readonly string[];
}

/** The parts of an operation, as `buildOpenApi` writes it, that name headers. */
interface DocumentedOperation {
  readonly parameters: readonly ({ $ref: string } | { name: string; in: string })[];
  readonly security?: readonly unknown[];
  readonly requestBody?: unknown;
  readonly responses: Record<string, { headers?: object }>;
}

/** The headers the document declares, read from the document itself so CORS cannot drift from it. */
export function documentedHeaders(document: ReturnType<typeof buildOpenApi>): DocumentedHeaders {
  const request = new Set<string>();
  const response = new Set<string>();
  const parameters = document.components.parameters as Record<string, { name: string; in: string }>;
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as DocumentedOperation[]) {
      for (const parameter of operation.parameters) {
        const resolved = '$ref' in parameter ? parameters[parameter.$ref.split('/').pop()!]! : parameter;
        if (resolved.in === 'header') request.add(resolved.name);
      }
      if (operation.security?.length) request.add('Authorization');
      if (operation.requestBody) request.add('Content-Type');
      for (const answer of Object.values(operation.responses))
        for (const name of Object.keys(answer.headers ?? {})) response.add(name);
    }
  }
  return { request: [...request].sort(), response: [...response].sort() };
}
