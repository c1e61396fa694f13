import { z } from 'zod';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';

const NAME = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a webhook name from the policy');

export function webhookRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'POST',
      url: '/v1/webhooks/test',
      summary: 'Queue a test event for one webhook (or every webhook) through the normal delivery path',
      tag: 'webhooks',
      access: [],
      body: z.object({ name: NAME.optional() }).strict().optional(),
      handler: async ({ body, principal }) => ({ queued: await services.webhooks.test(body?.name, principal?.email ?? 'unknown') }),
    }),
    route({
      method: 'GET',
      url: '/v1/webhooks/deliveries',
      summary: 'Recent webhook deliveries, newest first (never their bodies)',
      tag: 'webhooks',
      access: ['auditor'],
      query: z
        .object({
          failed: z.enum(['true', 'false']).default('false'),
          webhook: NAME.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        })
        .strict(),
      handler: async ({ query }) => ({
        deliveries: await services.webhooks.list({ failed: query.failed === 'true', limit: query.limit, ...(query.webhook === undefined ? {} : { webhook: query.webhook }) }),
      }),
    }),
  ];
}
