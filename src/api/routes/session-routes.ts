import { z } from 'zod';
import { StintError } from '../../errors/stint-error.ts';
import type { Principal } from '../../identity/principal.ts';
import { listSessionHistory, sessionWithStatements } from '../../sessions/session-history.ts';
import type { SessionView } from '../../sessions/session-types.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { EmailField } from './request-fields.ts';

/** Contractors see only their own sessions; staff (admin, auditor, approver) see all. */
function contractorOnly(principal: Principal | null): boolean {
  return principal?.apiRoles.every((role) => role === 'contractor') === true;
}

export function sessionRoutes(services: ApiServices): ApiRoute[] {
  // Counters of this node's live sessions are fresher in memory than in their rows.
  const fresh = (id: string): SessionView | undefined => services.sessions.live().find((session) => session.id === id)?.view();
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
          state: z.enum(['live', 'ended', 'all']).optional(),
          email: EmailField.optional(),
          resource: z.string().min(1).max(100).optional(),
          q: z.string().max(1000).optional(),
          cursor: z.string().min(1).max(200).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        })
        .strict(),
      handler: async ({ query, principal }) => {
        const email = contractorOnly(principal) ? principal?.email : (query.email ?? query.contractor);
        const state = query.state ?? (query.live === 'true' ? 'live' : 'all');
        const page = await listSessionHistory(
          services.store,
          {
            state,
            limit: query.limit,
            ...(email === undefined ? {} : { email }),
            ...(query.resource === undefined ? {} : { resource: query.resource }),
            ...(query.q === undefined ? {} : { q: query.q }),
            ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          },
          fresh,
        );
        // `sessions` keeps the earlier shape (times in ms) for the CLI; `items` is the paged list with ISO times.
        const sessions = page.items.map((item) => {
          const view = fresh(item.id);
          return (
            view ?? {
              id: item.id,
              node: item.node,
              protocol: item.protocol,
              contractor: item.contractor,
              resource: item.resource,
              clientAddress: item.clientAddress,
              tls: item.tls,
              startedAt: Date.parse(item.startedAt),
              expiresAt: item.expiresAt === null ? null : Date.parse(item.expiresAt),
              endedAt: item.endedAt === null ? null : Date.parse(item.endedAt),
              endReason: item.endReason,
              bytesIn: item.bytesIn,
              bytesOut: item.bytesOut,
              statements: item.statements,
            }
          );
        });
        return { ...page, sessions };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/sessions/:id',
      summary: 'One session with the statements run in it and the decision on each, from the audit log (contractors: their own)',
      tag: 'sessions',
      access: ['auditor', 'approver', 'contractor'],
      params: z.object({ id: z.string().min(1).max(100) }),
      handler: async ({ params, principal }) => {
        const detail = await sessionWithStatements(services.store, params.id, fresh);
        // Someone else's session answers like a missing one: a contractor learns nothing about other people's sessions.
        if (detail === null || (contractorOnly(principal) && detail.contractor !== principal?.email)) {
          throw new StintError('STINT_ERR_NOT_FOUND', `No session ${params.id}; list them with \`stint sessions\` or on the console's Sessions page.`);
        }
        return detail;
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
