import { z } from 'zod';
import { ACTIONS } from '../../access/access-model.ts';
import { StintError } from '../../errors/stint-error.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';

export function connectRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/ca',
      summary: 'The CA certificate gateway listeners present (public; for sslmode=verify-full)',
      tag: 'connect',
      access: 'public',
      produces: 'application/x-pem-file',
      handler: async ({ reply }) => {
        if (services.gateway.caPem === null) throw new StintError('STINT_ERR_NOT_FOUND', 'This server has no CA: its listeners use operator-provided certificates or no TLS.');
        await reply.type('application/x-pem-file').send(services.gateway.caPem);
      },
    }),
    route({
      method: 'GET',
      url: '/v1/connect/:resource',
      summary: 'Connection settings for a resource the caller may reach',
      tag: 'connect',
      access: ['contractor'],
      params: z.object({ resource: z.string().min(1).max(100) }),
      handler: async ({ params, principal }) => {
        const resource = services.access.resource(params.resource);
        if (resource === undefined) throw new StintError('STINT_ERR_NOT_FOUND', `No resource ${params.resource}.`);
        if (principal === null) throw new StintError('STINT_ERR_UNAUTHENTICATED');
        if (principal.kind === 'contractor') {
          const identity = { email: principal.email, tokenExpiresAt: principal.tokenExpiresAt };
          // A contractor who accepted an invite moments ago may not be in this node's index yet:
          // rebuild only then, not on every call (a rebuild also re-judges every live session).
          if (services.access.decide(identity, resource.name, 'read').reason === 'DENY_UNKNOWN_SUBJECT') await services.access.refresh();
          const allowed = ACTIONS.map((action) => ({ action, decision: services.access.decide(identity, resource.name, action) })).filter((d) => d.decision.allow);
          if (allowed.length === 0) {
            const denial = services.access.decide(identity, resource.name, 'read');
            throw new StintError('STINT_ERR_FORBIDDEN', denial.message);
          }
          const listener = resource.kind === 'postgres' ? services.gateway.postgres : null;
          if (listener === null) throw new StintError('STINT_ERR_NOT_FOUND', `This server does not listen for ${resource.kind} connections.`);
          return {
            resource: resource.name,
            kind: resource.kind,
            host: listener.host,
            port: listener.port,
            database: resource.name,
            user: principal.email,
            actions: allowed.map((d) => d.action),
            expiresAt: earliest(allowed.map((d) => d.decision.expiresAt)),
            tls: services.gateway.caPem !== null,
          };
        }
        throw new StintError('STINT_ERR_FORBIDDEN', 'Only contractors connect to resources through the gateway.');
      },
    }),
  ];
}

function earliest(instants: readonly (number | null)[]): number | null {
  const bounded = instants.filter((at): at is number => at !== null);
  return bounded.length === 0 ? null : Math.min(...bounded);
}
