import { z } from 'zod';
import { StintError } from '../../errors/stint-error.ts';
import { mayCall } from '../api-principal.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';

export function contractorRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/v1/contractors',
      summary: 'Every contractor on record, with source and status',
      tag: 'contractors',
      access: ['auditor', 'approver'],
      query: z.object({ status: z.enum(['active', 'offboarded', 'all']).default('active') }).strict(),
      handler: async ({ query }) => {
        const all = await services.contractors.list();
        return { contractors: query.status === 'all' ? all : all.filter((c) => c.status === query.status) };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/contractors/:email',
      summary: 'One contractor (staff, or the contractor themself)',
      tag: 'contractors',
      access: ['auditor', 'approver', 'contractor'],
      params: z.object({ email: z.string().min(3).max(320) }),
      handler: async ({ params, principal }) => {
        const email = params.email.toLowerCase();
        const isStaff = principal !== null && mayCall(principal, ['auditor', 'approver']);
        if (!isStaff && principal?.email !== email) {
          throw new StintError('STINT_ERR_FORBIDDEN', 'Contractors may only look up their own record.');
        }
        const contractor = await services.contractors.get(email);
        if (contractor === undefined || contractor === null) throw new StintError('STINT_ERR_UNKNOWN_CONTRACTOR', `No contractor ${email} is on record.`);
        return contractor;
      },
    }),
  ];
}
