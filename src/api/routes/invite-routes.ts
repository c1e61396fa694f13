import { z } from 'zod';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { EmailField, EndDateField } from './request-fields.ts';

const CreateInviteBody = z
  .object({
    email: EmailField,
    roles: z.array(z.string().min(1)).min(1, 'name at least one role').max(20),
    until: EndDateField.optional(),
  })
  .strict();

export function inviteRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'POST',
      url: '/v1/invites',
      summary: 'Invite a contractor: a single-use code and link',
      tag: 'invites',
      access: [],
      body: CreateInviteBody,
      handler: async ({ body, principal }) => {
        const invite = await services.invites.create({
          email: body.email,
          roles: body.roles,
          ...(body.until === undefined ? {} : { untilAt: body.until }),
          createdBy: principal?.email ?? 'unknown',
        });
        services.feed.publish({ type: 'contractor.changed', at: new Date(services.clock.now()).toISOString(), email: invite.email });
        return { ...invite, url: `${services.publicUrl.replace(/\/$/, '')}/invite/${encodeURIComponent(invite.code)}` };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/invites',
      summary: 'Invites issued (codes are never shown again)',
      tag: 'invites',
      access: [],
      query: z.object({ pending: z.enum(['true', 'false']).default('false') }).strict(),
      handler: async ({ query }) => ({ invites: await services.invites.list({ pending: query.pending === 'true' }) }),
    }),
    route({
      method: 'DELETE',
      url: '/v1/invites/:id',
      summary: 'Revoke an invite that was not accepted yet',
      tag: 'invites',
      access: [],
      params: z.object({ id: z.string().min(1).max(100) }),
      handler: async ({ params, principal }) => {
        await services.invites.revoke(params.id, principal?.email ?? 'unknown');
        return { ok: true };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/invites/accept',
      summary: 'Exchange an invite code for an access token (no token needed)',
      tag: 'invites',
      access: 'public',
      body: z.object({ code: z.string().min(1).max(200) }).strict(),
      handler: async ({ body, ip }) => {
        const accepted = await services.invites.accept(body.code, { ip });
        // Staff consoles show the new contractor without a reload.
        services.feed.publish({ type: 'contractor.changed', at: new Date(services.clock.now()).toISOString(), email: accepted.email });
        return accepted;
      },
    }),
  ];
}
