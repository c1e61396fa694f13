import type { ApiRole, Principal } from '../api/api-types.ts';

/** Mirrors the server's rule: admins may do everything, others need one of the listed roles. */
export function hasRole(principal: Principal | null, roles: readonly ApiRole[]): boolean {
  if (principal === null) return false;
  return principal.apiRoles.includes('admin') || principal.apiRoles.some((role) => roles.includes(role));
}

export const isAdmin = (principal: Principal | null): boolean => principal?.apiRoles.includes('admin') === true;
