import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';

export function healthRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/healthz',
      summary: 'Liveness and the policy in force',
      tag: 'health',
      access: 'public',
      handler: () => {
        const applied = services.policy.current();
        return Promise.resolve({ status: 'ok', store: services.store.engine, policyDigest: applied?.digest ?? null });
      },
    }),
    route({
      method: 'GET',
      url: '/v1/whoami',
      summary: 'Who the presented token belongs to',
      tag: 'identity',
      access: ['contractor', 'approver', 'auditor'],
      handler: ({ principal }) => Promise.resolve(principal),
    }),
  ];
}
