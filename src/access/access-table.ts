/**
 * Building the lookup tables behind the access index: selectors resolved to
 * resource names, roles combined per role set, grants overlaid per contractor,
 * and every message and denial that depends only on the table built up front.
 */
import type { Action, GrantInfo, ResourceInfo, RoleInfo } from './access-model.ts';
import type { ActionAccess } from './access-index.ts';
import { NO_OBLIGATIONS, type Decision } from './decision.ts';
import { allowRoleMessage, denyRuleMessage, sessionExpiredMessage } from './decision-messages.ts';
import { selectResources } from './resource-selector.ts';

export type ActionTable = Map<Action, ActionAccess>;
/** resource → action → access. */
export type ResourceTable = Map<string, ActionTable>;

interface MutableActionAccess {
  grantingRoles: string[];
  denyingRoles: string[];
  maxSessionMs: number | null;
  grants: GrantInfo[];
}

export interface CompiledRole {
  readonly role: RoleInfo;
  readonly grants: ReadonlyMap<string, ReadonlySet<Action>>;
  readonly denies: ReadonlyMap<string, ReadonlySet<Action>>;
}

export function compileRole(role: RoleInfo, resources: readonly ResourceInfo[]): CompiledRole {
  const resolve = (rules: RoleInfo['grants']): Map<string, Set<Action>> => {
    const byResource = new Map<string, Set<Action>>();
    for (const rule of rules) {
      for (const resource of selectResources(rule.resources, resources)) {
        let actions = byResource.get(resource.name);
        if (actions === undefined) {
          actions = new Set();
          byResource.set(resource.name, actions);
        }
        for (const action of rule.actions) actions.add(action);
      }
    }
    return byResource;
  };
  return { role, grants: resolve(role.grants), denies: resolve(role.denies) };
}

export function combineRoles(roles: readonly CompiledRole[]): ResourceTable {
  const building = new Map<string, Map<Action, MutableActionAccess>>();
  const entry = (resource: string, action: Action): MutableActionAccess => {
    let actions = building.get(resource);
    if (actions === undefined) {
      actions = new Map();
      building.set(resource, actions);
    }
    let access = actions.get(action);
    if (access === undefined) {
      access = { grantingRoles: [], denyingRoles: [], maxSessionMs: null, grants: [] };
      actions.set(action, access);
    }
    return access;
  };
  for (const { role, grants, denies } of roles) {
    for (const [resource, actions] of grants) {
      for (const action of actions) entry(resource, action).grantingRoles.push(role.name);
    }
    for (const [resource, actions] of denies) {
      for (const action of actions) entry(resource, action).denyingRoles.push(role.name);
    }
  }
  const bounds = new Map(roles.map(({ role }) => [role.name, role.maxSessionMs]));
  for (const actions of building.values()) {
    for (const access of actions.values()) {
      access.maxSessionMs = mostGenerousBound(access.grantingRoles.map((name) => bounds.get(name) ?? null));
    }
  }
  return freezeTable(building);
}

/** The most generous of several session bounds: no limit (null) beats any limit, otherwise the longest. */
export function mostGenerousBound(bounds: readonly (number | null)[]): number | null {
  if (bounds.length === 0) return null;
  let longest = 0;
  for (const bound of bounds) {
    if (bound === null) return null;
    if (bound > longest) longest = bound;
  }
  return longest;
}

function freezeTable(building: ReadonlyMap<string, ReadonlyMap<Action, MutableActionAccess>>): ResourceTable {
  const table: ResourceTable = new Map();
  for (const [resource, actions] of building) {
    const frozen: ActionTable = new Map();
    for (const [action, access] of actions) {
      frozen.set(
        action,
        Object.freeze({
          grantingRoles: Object.freeze(access.grantingRoles),
          denyingRoles: Object.freeze(access.denyingRoles),
          maxSessionMs: access.maxSessionMs,
          grants: Object.freeze(access.grants),
          allowMessage: access.grantingRoles.length > 0 ? allowRoleMessage(action, resource, access.grantingRoles) : '',
          denied: access.denyingRoles.length > 0 ? denial('DENY_RULE', denyRuleMessage(action, resource, access.denyingRoles)) : null,
          sessionExpired:
            access.grantingRoles.length > 0 && access.maxSessionMs !== null
              ? denial('DENY_SESSION_EXPIRED', sessionExpiredMessage(action, resource, access.maxSessionMs))
              : null,
        }),
      );
    }
    table.set(resource, frozen);
  }
  return table;
}

export function groupGrants(grants: readonly GrantInfo[], resources: ReadonlySet<string>): Map<string, GrantInfo[]> {
  const byEmail = new Map<string, GrantInfo[]>();
  for (const grant of grants) {
    if (!resources.has(grant.resource) || grant.expiresAt <= grant.startsAt) continue;
    const email = grant.email.toLowerCase();
    const list = byEmail.get(email);
    if (list === undefined) byEmail.set(email, [grant]);
    else list.push(grant);
  }
  return byEmail;
}

/** A copy of the shared role-set table with the contractor's grants merged in; the shared table is left untouched. */
export function overlayGrants(shared: ResourceTable, grants: readonly GrantInfo[]): ResourceTable {
  const building = new Map<string, Map<Action, MutableActionAccess>>();
  for (const grant of grants) {
    let actions = building.get(grant.resource);
    if (actions === undefined) {
      actions = new Map();
      for (const [action, access] of shared.get(grant.resource) ?? []) {
        actions.set(action, {
          grantingRoles: [...access.grantingRoles],
          denyingRoles: [...access.denyingRoles],
          maxSessionMs: access.maxSessionMs,
          grants: [...access.grants],
        });
      }
      building.set(grant.resource, actions);
    }
    for (const action of new Set(grant.actions)) {
      let access = actions.get(action);
      if (access === undefined) {
        access = { grantingRoles: [], denyingRoles: [], maxSessionMs: null, grants: [] };
        actions.set(action, access);
      }
      access.grants.push(grant);
    }
  }
  // Latest expiry first: the first active grant found is then the one that lasts longest.
  for (const actions of building.values()) {
    for (const access of actions.values()) access.grants.sort((a, b) => b.expiresAt - a.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  const table: ResourceTable = new Map(shared);
  for (const [resource, actions] of freezeTable(building)) table.set(resource, actions);
  return table;
}

export function denial(reason: Decision['reason'], message: string): Decision {
  return Object.freeze({ allow: false, reason, message, obligations: NO_OBLIGATIONS, expiresAt: null });
}
