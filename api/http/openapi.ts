import { STATUS_CODES } from 'node:http';
import type { TSchema } from '@sinclair/typebox';
import type { RouteDefinition } from './route';
import { AnimeSchema, ProblemSchema } from './schemas';

const COMPONENTS: TSchema[] = [AnimeSchema, ProblemSchema];

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
  return params;
}

const problemResponse = (status: number) => ({
  description: STATUS_CODES[status],
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The OpenAPI 3.1 document, built from the same route schemas that validate requests. */
export function buildOpenApi(routes: readonly RouteDefinition[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const problems = new Set<number>([
      ...(route.query || route.params || route.body ? [400] : []),
      // Every route answers JSON only (406), and a route with a body takes JSON only (415).
      406,
      ...(route.body ? [415] : []),
      ...(route.access ? [401] : []),
      ...(route.access === 'admin' ? [403] : []),
      // Catalogue reads (the cacheable ones) are bounded per instance: see READ_CONCURRENCY.
      ...(route.method === 'get' && route.cache ? [429, 503] : []),
      ...(route.problems ?? []),
    ]);
    const responses: Record<string, unknown> = {
      [route.response.status]: {
        description: route.response.description,
        ...(route.response.schema
          ? { content: { 'application/json': { schema: toOpenApiSchema(route.response.schema) } } }
          : {}),
      },
    };
    if (route.method === 'get') responses['304'] = { description: 'Not Modified (If-None-Match matched)' };
    for (const status of [...problems].sort()) responses[status] = problemResponse(status);
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
      parameters: parameters(route),
      ...(route.access ? { security: [{ bearerAuth: [] }] } : {}),
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
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: Object.fromEntries(COMPONENTS.map((s) => [s.$id!, withoutId(s)])),
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
