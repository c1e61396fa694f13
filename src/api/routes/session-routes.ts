import { z } from 'zod';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { EmailField } from './request-fields.ts';

export function sessionRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/sessions',
      summary: 'Sessions through the gateway on every node, newest first',
      tag: 'sessions',
      access: ['auditor', 'approver', 'contractor'],
      query: z
        .object({
          live: z.enum(['true', 'false']).default('false'),
          contractor: EmailField.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        })
        .strict(),
      handler: async ({ query, principal }) => {
        // Contractors see only their own sessions.
        const isContractorOnly = principal?.apiRoles.every((role) => role === 'contractor') === true;
        const contractor = isContractorOnly ? principal.email : query.contractor;
        return {
          sessions: await services.sessions.list({
            live: query.live === 'true',
            limit: query.limit,
            ...(contractor === undefined ? {} : { contractor }),
          }),
        };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/sessions/:id/kill',
      summary: 'End a live session now, on whichever node holds it',
      tag: 'sessions',
      access: [],
      params: z.object({ id: z.string().min(1).max(100) }),
      body: z.object({ reason: z.string().max(500).optional() }).strict().optional(),
      handler: ({ params, body, principal }) => services.sessions.kill(params.id, principal?.email ?? 'unknown', body?.reason ?? 'ended by an administrator'),
    }),
  ];
}
