import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { makeErrorHandler, requestValidationError } from './api-errors.ts';
import { authorize } from './api-auth.ts';
import type { ApiRoute } from './api-route.ts';
import type { ApiServices } from './api-services.ts';
import { buildOpenApi } from './openapi.ts';
import { allRoutes } from './routes/all-routes.ts';
import { endStreams } from './event-stream.ts';
import { registerConsole } from './static-console.ts';

export interface AppOptions {
  readonly services: ApiServices;
  readonly logger: Logger;
  /** Largest accepted request body in bytes (policy sets travel in bodies). */
  readonly bodyLimit?: number;
  /** The built web console served at `/`; web/dist of this checkout when not given. */
  readonly consoleDir?: string;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Builds the HTTP API without listening, so tests drive it with `inject()`. */
export function buildApp(options: AppOptions): FastifyInstance {
  const { services, logger } = options;
  const app = Fastify({
    // No per-request logging: every decision worth keeping is an audit event, and
    // the error handler logs failures through our own logger.
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Only a loopback proxy may speak for the client address.
    trustProxy: '127.0.0.1',
    // The router answers a malformed URL or an over-long path parameter itself, with its own codes: route those through the catalogue too.
    frameworkErrors: makeErrorHandler(logger),
  });
  app.setErrorHandler(makeErrorHandler(logger));
  // Unknown API paths stay JSON 404s; other GETs are the web console's (history fallback).
  registerConsole(app, { publicUrl: () => services.publicUrl, ...(options.consoleDir === undefined ? {} : { dir: options.consoleDir }) });

  const routes = allRoutes(services);
  const openApi = buildOpenApi(routes);
  app.get('/openapi.json', () => Promise.resolve(openApi));
  for (const definition of routes) register(app, definition, services);
  // Live event streams are never idle: end them, or closing the server would wait for them forever.
  app.addHook('preClose', (done) => {
    endStreams(app);
    done();
  });
  return app;
}

function register(app: FastifyInstance, definition: ApiRoute, services: ApiServices): void {
  const operation = `${definition.method} ${definition.url}`;
  app.route({
    method: definition.method,
    url: definition.url,
    handler: async (request, reply) => {
      const principal = definition.access === 'public' ? null : await authorize(request, definition.access, services, operation);
      const body = parsePart(definition.body, request.body, 'body');
      const query = parsePart(definition.query, request.query, 'query');
      const params = parsePart(definition.params, request.params, 'path');
      const result = await definition.handler({ body, query, params, principal, ip: request.ip, request, reply });
      if (definition.produces !== undefined) return reply;
      return result ?? { ok: true };
    },
  });
}

function parsePart(schema: ApiRoute['body'], value: unknown, part: 'body' | 'query' | 'path'): unknown {
  if (schema === undefined) return value;
  const parsed = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (!parsed.success) throw requestValidationError(part, parsed.error.issues);
  return parsed.data;
}
