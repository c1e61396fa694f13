import { z } from 'zod';
import { ACTIONS } from '../../access/access-model.ts';
import { StintError } from '../../errors/stint-error.ts';
import type { Principal } from '../../identity/principal.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { DurationField, EmailField } from './request-fields.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) });

const CreateBody = z
  .object({
    resource: z.string().min(1).max(100),
    actions: z.array(z.enum(ACTIONS)).min(1).max(ACTIONS.length),
    tables: z.array(z.string().min(1).max(200)).max(100).optional(),
    duration: DurationField,
    reason: z.string().max(1000).optional(),
  })
  .strict();

function caller(principal: Principal | null): Principal {
  if (principal === null) throw new StintError('STINT_ERR_UNAUTHENTICATED');
  return principal;
}

export function requestRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'POST',
      url: '/v1/requests',
      summary: 'Request actions on a resource for a while (contractors); waits for approval',
      tag: 'requests',
      access: ['contractor'],
      body: CreateBody,
      handler: ({ body, principal }) =>
        services.requests.create(caller(principal), {
          resource: body.resource,
          actions: body.actions,
          durationMs: body.duration,
          ...(body.tables === undefined ? {} : { tables: body.tables }),
          ...(body.reason === undefined ? {} : { reason: body.reason }),
        }),
    }),
    route({
      method: 'GET',
      url: '/v1/requests',
      summary: 'Requests: contractors their own, approvers those they may approve, admins and auditors all; newest first',
      tag: 'requests',
      access: ['contractor', 'approver', 'auditor'],
      query: z.object({ pending: z.enum(['true', 'false']).default('false'), limit: z.coerce.number().int().min(1).max(1000).default(200) }).strict(),
      handler: async ({ query, principal }) => ({ requests: await services.requests.list(caller(principal), { pending: query.pending === 'true', limit: query.limit }) }),
    }),
    route({
      method: 'GET',
      url: '/v1/requests/:id',
      summary: 'One request, with its approvals and who may approve it',
      tag: 'requests',
      access: ['contractor', 'approver', 'auditor'],
      params: IdParams,
      handler: ({ params, principal }) => services.requests.get(params.id, caller(principal)),
    }),
    route({
      method: 'POST',
      url: '/v1/requests/:id/approve',
      summary: 'Approve a request (eligible approvers; never the requester); `for` may only shorten it',
      tag: 'requests',
      access: ['approver'],
      params: IdParams,
      body: z.object({ for: DurationField.optional() }).strict().optional(),
      handler: ({ params, body, principal }) => services.requests.approve(params.id, caller(principal), body?.for === undefined ? {} : { durationMs: body.for }),
    }),
    route({
      method: 'POST',
      url: '/v1/requests/:id/deny',
      summary: 'Deny a request, with a reason the requester reads',
      tag: 'requests',
      access: ['approver'],
      params: IdParams,
      // An empty or missing reason reaches the service, which answers with STINT_ERR_REASON_REQUIRED.
      body: z.object({ reason: z.string().max(1000).default('') }).strict(),
      handler: ({ params, body, principal }) => services.requests.deny(params.id, caller(principal), body.reason),
    }),
    route({
      method: 'POST',
      url: '/v1/requests/:id/cancel',
      summary: 'Withdraw a pending request (its requester only)',
      tag: 'requests',
      access: ['contractor'],
      params: IdParams,
      handler: ({ params, principal }) => services.requests.cancel(params.id, caller(principal)),
    }),
    route({
      method: 'GET',
      url: '/v1/grants',
      summary: 'Grants from approved requests: contractors their own, staff all; active only unless all=true',
      tag: 'requests',
      access: ['contractor', 'approver', 'auditor'],
      query: z
        .object({ all: z.enum(['true', 'false']).default('false'), for: EmailField.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) })
        .strict(),
      handler: async ({ query, principal }) => ({
        grants: await services.grants.list(caller(principal), { all: query.all === 'true', limit: query.limit, ...(query.for === undefined ? {} : { email: query.for }) }),
      }),
    }),
    route({
      method: 'POST',
      url: '/v1/grants/:id/revoke',
      summary: 'End a grant now (an admin, an approver who may approve such access, or its holder); live sessions lose it at once',
      tag: 'requests',
      access: ['approver', 'contractor'],
      params: IdParams,
      body: z.object({ reason: z.string().max(1000).optional() }).strict().optional(),
      handler: ({ params, body, principal }) => services.grants.revoke(params.id, caller(principal), body?.reason),
    }),
  ];
}
