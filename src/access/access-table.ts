/**
 * Building the lookup tables behind the access index: selectors resolved to
 * resource names, roles combined per role set, grants overlaid per contractor,
 * and every message and denial that depends only on the table built up front.
 */
import type { Action, GrantInfo, ResourceInfo, RoleInfo } from './access-model.ts';
import type { ActionAccess, TableDeny } from './access-index.ts';
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
  /** Union of the granting rules' table patterns; null once one rule covers every table. */
  tableScope: Set<string> | null;
  deniedTables: TableDeny[];
}

/** resource → action → table patterns (null: every table). */
type ScopedActions = Map<string, Map<Action, Set<string> | null>>;

export interface CompiledRole {
  readonly role: RoleInfo;
  readonly grants: ReadonlyMap<string, ReadonlyMap<Action, ReadonlySet<string> | null>>;
  /** Deny rules without tables: the whole action is denied. */
  readonly denies: ReadonlyMap<string, ReadonlySet<Action>>;
  /** Deny rules with tables: the action is denied only on those tables. */
  readonly tableDenies: ReadonlyMap<string, ReadonlyMap<Action, ReadonlySet<string> | null>>;
}

export function compileRole(role: RoleInfo, resources: readonly ResourceInfo[]): CompiledRole {
  const resolve = (rules: RoleInfo['grants']): ScopedActions => {
    const byResource: ScopedActions = new Map();
    for (const rule of rules) {
      for (const resource of selectResources(rule.resources, resources)) {
        let actions = byResource.get(resource.name);
        if (actions === undefined) {
          actions = new Map();
          byResource.set(resource.name, actions);
        }
        for (const action of rule.actions) {
          const scope = actions.has(action) ? actions.get(action)! : new Set<string>();
          if (scope === null || rule.tables === undefined) actions.set(action, null);
          else actions.set(action, new Set([...scope, ...rule.tables]));
        }
      }
    }
    return byResource;
  };
  const denies = new Map<string, Set<Action>>();
  const tableDenies: ScopedActions = new Map();
  const blanket = resolve(role.denies.filter((rule) => rule.tables === undefined));
  for (const [resource, actions] of blanket) denies.set(resource, new Set(actions.keys()));
  for (const [resource, actions] of resolve(role.denies.filter((rule) => rule.tables !== undefined))) tableDenies.set(resource, actions);
  return { role, grants: resolve(role.grants), denies, tableDenies };
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
      access = emptyAccess();
      actions.set(action, access);
    }
    return access;
  };
  for (const { role, grants, denies, tableDenies } of roles) {
    for (const [resource, actions] of grants) {
      for (const [action, scope] of actions) {
        const access = entry(resource, action);
        // The first granting role sets the scope; later ones widen it, and an unscoped one lifts it.
        access.tableScope = access.grantingRoles.length === 0 ? (scope === null ? null : new Set(scope)) : widen(access.tableScope, scope);
        access.grantingRoles.push(role.name);
      }
    }
    for (const [resource, actions] of tableDenies) {
      for (const [action, tables] of actions) {
        for (const pattern of tables ?? []) entry(resource, action).deniedTables.push({ pattern, role: role.name });
      }
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

function emptyAccess(): MutableActionAccess {
  return { grantingRoles: [], denyingRoles: [], maxSessionMs: null, grants: [], tableScope: null, deniedTables: [] };
}

function widen(scope: Set<string> | null, more: ReadonlySet<string> | null): Set<string> | null {
  if (scope === null || more === null) return null;
  return new Set([...scope, ...more]);
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
          tableScope: access.grantingRoles.length === 0 || access.tableScope === null ? null : Object.freeze([...access.tableScope].sort()),
          deniedTables: Object.freeze(access.deniedTables),
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
          tableScope: access.tableScope === null ? null : new Set(access.tableScope),
          deniedTables: [...access.deniedTables],
        });
      }
      building.set(grant.resource, actions);
    }
    for (const action of new Set(grant.actions)) {
      let access = actions.get(action);
      if (access === undefined) {
        access = emptyAccess();
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
