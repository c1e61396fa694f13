import type { ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { auditRoutes } from './audit-routes.ts';
import { connectRoutes } from './connect-routes.ts';
import { consoleRoutes } from './console-routes.ts';
import { contractorRoutes } from './contractor-routes.ts';
import { explainRoutes } from './explain-routes.ts';
import { eventStreamRoutes } from './event-stream-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { inviteRoutes } from './invite-routes.ts';
import { meRoutes } from './me-routes.ts';
import { offboardRoutes } from './offboard-routes.ts';
import { policyRoutes } from './policy-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { requestRoutes } from './request-routes.ts';
import { sessionRoutes } from './session-routes.ts';
import { tokenRoutes } from './token-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';

/** Every route of the API, written out in one place. */
export function allRoutes(services: ApiServices): ApiRoute[] {
  return [
    ...healthRoutes(services),
    ...policyRoutes(services),
    ...contractorRoutes(services),
    ...inviteRoutes(services),
    ...tokenRoutes(services),
    ...auditRoutes(services),
    ...sessionRoutes(services),
    ...connectRoutes(services),
    ...requestRoutes(services),
    ...reportRoutes(services),
    ...offboardRoutes(services),
    ...webhookRoutes(services),
    ...explainRoutes(services),
    ...consoleRoutes(services),
    ...meRoutes(services),
    ...eventStreamRoutes(services),
  ];
}
