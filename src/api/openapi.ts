import { z } from 'zod';
import type { ApiRoute } from './api-route.ts';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'fix', 'details'],
      properties: {
        code: { type: 'string', description: 'A STINT_ERR_* code from docs/errors.md.' },
        message: { type: 'string' },
        fix: { type: 'string', description: 'What to do about it.' },
        details: { type: 'array', items: { type: 'object' } },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

function queryParameters(route: ApiRoute): unknown[] {
  const params: unknown[] = [];
  for (const [location, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (schema === undefined) continue;
    const shape = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(shape.properties ?? {})) {
      params.push({ name, in: location, required: location === 'path' || (shape.required ?? []).includes(name), schema: property });
    }
  }
  return params;
}

/** OpenAPI 3.1, generated from the same route declarations the server registers. */
export function buildOpenApi(routes: readonly ApiRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
      parameters: queryParameters(route),
      responses: {
        '200': { description: 'Success', content: { [route.produces ?? 'application/json']: { schema: {} } } },
        default: { description: 'An error from the catalogue', content: { 'application/json': { schema: ERROR_SCHEMA } } },
      },
    };
    if (route.access !== 'public') {
      operation.security = [{ bearer: [] }];
      operation['x-stint-roles'] = ['admin', ...route.access];
    }
    if (route.body !== undefined) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } };
    }
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Stint API', version: '1', description: 'Control plane of the Stint access gateway. Errors follow docs/errors.md.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Stint access token (stint_...).' } } },
    paths,
  };
}
