import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Principal } from '../identity/token-service.ts';
import type { RouteAccess } from './api-principal.ts';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteContext<Body, Query, Params> {
  readonly body: Body;
  readonly query: Query;
  readonly params: Params;
  /** Null only on public routes. */
  readonly principal: Principal | null;
  /** The caller's address, for audit records. */
  readonly ip: string;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/**
 * One API route, declared as data: the server registers it and the OpenAPI
 * document is generated from the same declaration, so the two cannot disagree.
 */
export interface ApiRoute<Body = unknown, Query = unknown, Params = unknown> {
  readonly method: HttpMethod;
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: RouteAccess;
  readonly body?: z.ZodType<Body>;
  readonly query?: z.ZodType<Query>;
  readonly params?: z.ZodType<Params>;
  /** Response content type when not JSON (e.g. JSON Lines export). */
  readonly produces?: string;
  handler(ctx: RouteContext<Body, Query, Params>): Promise<unknown>;
}

/** Keeps each route's generic types while collecting routes into one list. */
export function route<Body = undefined, Query = undefined, Params = undefined>(definition: ApiRoute<Body, Query, Params>): ApiRoute {
  return definition;
}
