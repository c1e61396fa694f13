import { z } from 'zod';
import { buildAccessReport } from '../../reports/access-report.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { EmailField } from './request-fields.ts';

export function reportRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/reports/access',
      summary: 'Who can reach what now: actions, why (role or request), until when, last use, and flags for unused access and ending engagements',
      tag: 'reports',
      access: ['auditor', 'approver'],
      query: z
        .object({
          resource: z.string().min(1).max(100).optional(),
          contractor: EmailField.optional(),
          unusedDays: z.coerce.number().int().min(1).max(3650).optional(),
          endingDays: z.coerce.number().int().min(0).max(3650).optional(),
        })
        .strict(),
      handler: async ({ query }) => {
        // A fresh index, so the report reflects grants approved or revoked a moment ago on any node.
        await services.access.refresh();
        return buildAccessReport(
          { store: services.store, index: services.access.index(), contractors: await services.contractors.list() },
          {
            ...(query.resource === undefined ? {} : { resource: query.resource }),
            ...(query.contractor === undefined ? {} : { contractor: query.contractor }),
            ...(query.unusedDays === undefined ? {} : { unusedDays: query.unusedDays }),
            ...(query.endingDays === undefined ? {} : { endingDays: query.endingDays }),
          },
          services.clock.now(),
        );
      },
    }),
  ];
}
