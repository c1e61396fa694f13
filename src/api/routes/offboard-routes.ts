import { z } from 'zod';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { EmailField } from './request-fields.ts';

export function offboardRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'POST',
      url: '/v1/contractors/:email/offboard',
      summary: 'Offboard a contractor now: revoke tokens, grants, requests and invites, end live sessions; returns the report',
      tag: 'contractors',
      access: [],
      params: z.object({ email: EmailField }),
      body: z.object({ reason: z.string().trim().max(500).optional() }).strict().optional(),
      handler: ({ params, body, principal }) =>
        services.offboarding.offboard(params.email, {
          by: principal?.email ?? 'unknown',
          cause: 'manual',
          ...(body?.reason === undefined || body.reason === '' ? {} : { reason: body.reason }),
        }),
    }),
  ];
}
