import type { ApiRole, Principal } from './api/api-types.ts';
import { hasRole } from './auth/roles.ts';

export interface NavItem {
  readonly path: string;
  readonly label: string;
  /** Who sees it (admins see every staff item). */
  readonly roles: readonly ApiRole[];
}

/** The sections, in order; each role sees only what its API calls allow. */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/', label: 'Overview', roles: ['approver', 'auditor'] },
  { path: '/contractors', label: 'Contractors', roles: ['approver', 'auditor'] },
  { path: '/access', label: 'Access', roles: ['approver', 'auditor'] },
  { path: '/requests', label: 'Requests', roles: ['approver', 'auditor'] },
  { path: '/sessions', label: 'Sessions', roles: ['approver', 'auditor'] },
  { path: '/audit', label: 'Audit', roles: ['auditor'] },
  { path: '/portal', label: 'My access', roles: ['contractor'] },
];

export function navFor(principal: Principal | null): NavItem[] {
  // A contractor-only token never sees staff pages, even though hasRole lets admins through everywhere.
  return NAV_ITEMS.filter((item) => hasRole(principal, item.roles) && !(item.roles.includes('contractor') && principal?.apiRoles.includes('contractor') !== true));
}

/** Where a viewer lands after signing in. */
export function homeFor(principal: Principal | null): string {
  return principal?.apiRoles.includes('contractor') === true && principal.apiRoles.length === 1 ? '/portal' : '/';
}
