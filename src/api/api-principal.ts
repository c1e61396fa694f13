import type { Principal } from '../identity/token-service.ts';

export type ApiRole = Principal['apiRoles'][number];

/** Roles a route admits. `public` routes need no token (health, OpenAPI, invite acceptance). */
export type RouteAccess = 'public' | readonly ApiRole[];

export function mayCall(principal: Principal, access: readonly ApiRole[]): boolean {
  // Admins may call every route; others need one of the listed roles.
  return principal.apiRoles.includes('admin') || principal.apiRoles.some((role) => access.includes(role));
}
