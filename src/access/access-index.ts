/**
 * The access model compiled for lookups. It is built once per change of
 * policy, contractors or grants, so that `decide` is a few Map lookups and
 * comparisons: every selector, role and deny rule is resolved here, never per
 * decision.
 */
import { ACTIONS, type AccessModel, type Action, type ContractorInfo, type GrantInfo, type RoleInfo } from './access-model.ts';
import { NO_OBLIGATIONS, type Decision } from './decision.ts';
import { engagementEndedMessage, offboardedMessage, tokenExpiredMessage } from './decision-messages.ts';
import { selectResources } from './resource-selector.ts';

/** What a subject's roles and grants say about one action on one resource. */
export interface ActionAccess {
  /** Held roles that grant the action here, by name. */
  readonly grantingRoles: readonly string[];
  /** Held roles whose deny rules name the action here, by name. Any one of them beats every allow. */
  readonly denyingRoles: readonly string[];
  /**
   * The session bound from `grantingRoles`. When several roles grant the
   * action the most generous bound applies: a role with no limit (null) wins,
   * otherwise the longest. Holding an extra role should never shorten what
   * another role already allowed. Null also when no role grants the action.
   */
  readonly maxSessionMs: number | null;
  /** Time-bound grants naming the action here, latest expiry first. */
  readonly grants: readonly GrantInfo[];
}

/** Everything decide needs about one contractor. */
export interface SubjectAccess {
  readonly contractor: ContractorInfo;
  /** resource → action → access; absent when nothing grants or denies it. */
  readonly access: ReadonlyMap<string, ReadonlyMap<Action, ActionAccess>>;
  /** Denials that depend only on the subject, built once and shared by every decision. */
  readonly offboarded: Decision;
  readonly engagementEnded: Decision;
  readonly tokenExpired: Decision;
}

/** Where an allowed action comes from: a role the contractor holds or a grant by id. */
export type AccessVia = `role:${string}` | `grant:${string}`;

export interface EffectiveAccess {
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly via: readonly AccessVia[];
}

type ActionTable = Map<Action, ActionAccess>;
type ResourceTable = Map<string, ActionTable>;

interface MutableActionAccess {
  grantingRoles: string[];
  denyingRoles: string[];
  maxSessionMs: number | null;
  grants: GrantInfo[];
}

export class AccessIndex {
  readonly #resources: ReadonlySet<string>;
  readonly #resourceNames: readonly string[];
  readonly #subjects: ReadonlyMap<string, SubjectAccess>;

  constructor(resourceNames: readonly string[], subjects: ReadonlyMap<string, SubjectAccess>) {
    this.#resourceNames = Object.freeze([...resourceNames].sort());
    this.#resources = new Set(resourceNames);
    this.#subjects = subjects;
  }

  /** Declared resource names, sorted. */
  resourceNames(): readonly string[] {
    return this.#resourceNames;
  }

  hasResource(name: string): boolean {
    return this.#resources.has(name);
  }

  /** The compiled subject for an email; emails match case-insensitively. */
  subject(email: string): SubjectAccess | undefined {
    // The exact lookup is the hot path: identities arrive lower-cased already.
    return this.#subjects.get(email) ?? this.#subjects.get(email.toLowerCase());
  }

  /** Emails of every contractor in the index, sorted. */
  subjectEmails(): readonly string[] {
    return [...this.#subjects.keys()].sort();
  }

  /**
   * What the contractor may do at `now`, per resource: what decide would allow
   * ignoring the token and session (those belong to a connection, not to the
   * person). Offboarded, ended or unknown contractors have none.
   */
  effectiveAccess(email: string, now: number): readonly EffectiveAccess[] {
    const subject = this.subject(email);
    if (subject === undefined) return [];
    const { contractor } = subject;
    if (contractor.status !== 'active' || now >= contractor.untilAt) return [];
    const result: EffectiveAccess[] = [];
    for (const resource of this.#resourceNames) {
      const table = subject.access.get(resource);
      if (table === undefined) continue;
      const actions: Action[] = [];
      const roles = new Set<string>();
      const grants = new Set<string>();
      for (const action of ACTIONS) {
        const entry = table.get(action);
        if (entry === undefined || entry.denyingRoles.length > 0) continue;
        const activeGrants = entry.grants.filter((grant) => grant.startsAt <= now && now < grant.expiresAt);
        if (entry.grantingRoles.length === 0 && activeGrants.length === 0) continue;
        actions.push(action);
        for (const role of entry.grantingRoles) roles.add(role);
        for (const grant of activeGrants) grants.add(grant.id);
      }
      if (actions.length === 0) continue;
      const via: AccessVia[] = [
        ...[...roles].sort().map((role): AccessVia => `role:${role}`),
        ...[...grants].sort().map((id): AccessVia => `grant:${id}`),
      ];
      result.push({ resource, actions, via });
    }
    return result;
  }
}

/** Compiles the model. Unknown role names, and grants for unknown resources or contractors, are ignored: validation happens elsewhere. */
export function buildAccessIndex(model: AccessModel): AccessIndex {
  const resourceNames = model.resources.map((resource) => resource.name);
  const roles = new Map<string, RoleInfo>(model.roles.map((role) => [role.name, role]));
  const compiledRoles = new Map<string, CompiledRole>();
  const roleSetTables = new Map<string, ResourceTable>();
  const grantsByEmail = groupGrants(model.grants, new Set(resourceNames));

  const subjects = new Map<string, SubjectAccess>();
  for (const contractor of model.contractors) {
    const email = contractor.email.toLowerCase();
    const held = [...new Set(contractor.roles)].filter((name) => roles.has(name)).sort();
    // Contractors mostly share a handful of role sets; compile each set once and share its table.
    const key = held.join('\n');
    let table = roleSetTables.get(key);
    if (table === undefined) {
      const compiled = held.map((name) => {
        let role = compiledRoles.get(name);
        if (role === undefined) {
          role = compileRole(roles.get(name)!, model);
          compiledRoles.set(name, role);
        }
        return role;
      });
      table = combineRoles(compiled);
      roleSetTables.set(key, table);
    }
    const grants = grantsByEmail.get(email);
    const access = grants === undefined ? table : overlayGrants(table, grants);
    subjects.set(email, compileSubject({ ...contractor, email }, access));
  }
  return new AccessIndex(resourceNames, subjects);
}

interface CompiledRole {
  readonly role: RoleInfo;
  readonly grants: ReadonlyMap<string, ReadonlySet<Action>>;
  readonly denies: ReadonlyMap<string, ReadonlySet<Action>>;
}

function compileRole(role: RoleInfo, model: AccessModel): CompiledRole {
  const resolve = (rules: RoleInfo['grants']): Map<string, Set<Action>> => {
    const byResource = new Map<string, Set<Action>>();
    for (const rule of rules) {
      for (const resource of selectResources(rule.resources, model.resources)) {
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

function combineRoles(roles: readonly CompiledRole[]): ResourceTable {
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
        }),
      );
    }
    table.set(resource, frozen);
  }
  return table;
}

function groupGrants(grants: readonly GrantInfo[], resources: ReadonlySet<string>): Map<string, GrantInfo[]> {
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
function overlayGrants(shared: ResourceTable, grants: readonly GrantInfo[]): ResourceTable {
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
    for (const access of actions.values()) access.grants.sort((a, b) => b.expiresAt - a.expiresAt || a.id.localeCompare(b.id));
  }
  const table: ResourceTable = new Map(shared);
  for (const [resource, actions] of freezeTable(building)) table.set(resource, actions);
  return table;
}

function compileSubject(contractor: ContractorInfo, access: ResourceTable): SubjectAccess {
  const deny = (reason: Decision['reason'], message: string): Decision =>
    Object.freeze({ allow: false, reason, message, obligations: NO_OBLIGATIONS, expiresAt: null });
  return Object.freeze({
    contractor: Object.freeze({ ...contractor, roles: Object.freeze([...contractor.roles]) }),
    access,
    offboarded: deny('DENY_OFFBOARDED', offboardedMessage(contractor.email)),
    engagementEnded: deny('DENY_ENGAGEMENT_ENDED', engagementEndedMessage(contractor.email, contractor.untilAt)),
    tokenExpired: deny('DENY_TOKEN_EXPIRED', tokenExpiredMessage(contractor.email)),
  });
}
