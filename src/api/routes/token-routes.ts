import { z } from 'zod';
import { StintError } from '../../errors/stint-error.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { DurationField, EmailField } from './request-fields.ts';

const CreateTokenBody = z
  .object({
    for: EmailField,
    ttl: DurationField.optional(),
    label: z.string().max(200).optional(),
  })
  .strict();

const RevokeBody = z.object({ reason: z.string().max(500).optional() }).strict();

export function tokenRoutes(services: ApiServices): ApiRoute[] {
  /** A contractor on record wins; otherwise a staff member declared in the policy. */
  async function subjectKind(email: string): Promise<'contractor' | 'staff'> {
    const contractor = await services.contractors.get(email);
    if (contractor !== undefined && contractor !== null) return 'contractor';
    if (services.policy.current()?.compiled.staff.some((s) => s.email === email) === true) return 'staff';
    throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `No contractor or staff member ${email} is on record; invite them or declare them in the policy.`);
  }

  return [
    route({
      method: 'POST',
      url: '/v1/tokens',
      summary: 'Issue an access token for a contractor or staff member',
      tag: 'tokens',
      access: [],
      body: CreateTokenBody,
      handler: async ({ body, principal }) =>
        services.tokens.create({
          subject: body.for,
          kind: await subjectKind(body.for),
          ...(body.ttl === undefined ? {} : { ttlMs: body.ttl }),
          ...(body.label === undefined ? {} : { label: body.label }),
          createdBy: principal?.email ?? 'unknown',
        }),
    }),
    route({
      method: 'GET',
      url: '/v1/tokens',
      summary: 'Tokens on record (never the token values)',
      tag: 'tokens',
      access: [],
      query: z.object({ for: EmailField.optional(), all: z.enum(['true', 'false']).default('false') }).strict(),
      handler: async ({ query }) => ({
        tokens: await services.tokens.list({ ...(query.for === undefined ? {} : { subject: query.for }), includeInactive: query.all === 'true' }),
      }),
    }),
    route({
      method: 'POST',
      url: '/v1/tokens/:id/revoke',
      summary: 'Revoke one token',
      tag: 'tokens',
      access: [],
      params: z.object({ id: z.string().min(1).max(100) }),
      body: RevokeBody.optional(),
      handler: async ({ params, body, principal }) => {
        const result = await services.tokens.revoke(params.id, { by: principal?.email ?? 'unknown', ...(body?.reason === undefined ? {} : { reason: body.reason }) });
        // Sessions on this node end now; other nodes see the revocation on their next poll.
        services.sessions.endRevoked((session) => session.start.tokenId === params.id);
        return result;
      },
    }),
    route({
      method: 'POST',
      url: '/v1/tokens/revoke-all',
      summary: 'Revoke every token of one person',
      tag: 'tokens',
      access: [],
      body: z.object({ for: EmailField, reason: z.string().max(500).optional() }).strict(),
      handler: async ({ body, principal }) => {
        const revoked = await services.tokens.revokeAllFor(body.for, { by: principal?.email ?? 'unknown', ...(body.reason === undefined ? {} : { reason: body.reason }) });
        services.sessions.endRevoked((session) => session.start.contractor === body.for);
        return { revoked };
      },
    }),
  ];
}
