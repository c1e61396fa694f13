/**
 * The access model compiled for lookups. It is built once per change of
 * policy, contractors or grants, so that `decide` is a few Map lookups and
 * comparisons: every selector, role and deny rule is resolved here, never per
 * decision.
 */
import { ACTIONS, type AccessModel, type Action, type ContractorInfo, type GrantInfo, type GuardrailRule, type RoleInfo } from './access-model.ts';
import type { Decision } from './decision.ts';
import { engagementEndedMessage, offboardedMessage, tokenExpiredMessage } from './decision-messages.ts';
import { masksForRoles, NO_MASKS, type ResourceMasks } from '../masking/mask-index.ts';
import type { MaskSet } from '../masking/mask-rules.ts';
import { selectResources } from './resource-selector.ts';
import { combineRoles, compileRole, denial, groupGrants, overlayGrants, type CompiledRole, type ResourceTable } from './access-table.ts';

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
  /**
   * Table patterns the granting roles limit the action to (their union), or
   * null when one of them covers every table (or no role grants it).
   */
  readonly tableScope: readonly string[] | null;
  /** Table patterns a deny rule with `tables` names for the action, with the role. */
  readonly deniedTables: readonly TableDeny[];
  /** Time-bound grants naming the action here, latest expiry first. */
  readonly grants: readonly GrantInfo[];
  /** The ALLOW_ROLE message; empty when no role grants the action. Built here so an allow allocates no text. */
  readonly allowMessage: string;
  /** The DENY_RULE decision when a role denies the action, built once and shared. */
  readonly denied: Decision | null;
  /** The DENY_SESSION_EXPIRED decision when a session bound applies, built once and shared. */
  readonly sessionExpired: Decision | null;
}

export interface TableDeny {
  readonly pattern: string;
  readonly role: string;
}

/** A guardrail with its position in the policy (from 1), which names it in refusals. */
export interface NumberedGuardrail {
  readonly number: number;
  readonly rule: GuardrailRule;
}

const NO_GUARDRAILS: readonly NumberedGuardrail[] = Object.freeze([]);

/** Everything decide needs about one contractor. */
export interface SubjectAccess {
  readonly contractor: ContractorInfo;
  /** resource → action → access; absent when nothing grants or denies it. */
  readonly access: ReadonlyMap<string, ReadonlyMap<Action, ActionAccess>>;
  /** Denials that depend only on the subject, built once and shared by every decision. */
  readonly offboarded: Decision;
  readonly engagementEnded: Decision;
  readonly tokenExpired: Decision;
  /** resource → columns masked for this contractor there (see masking/mask-index.ts); empty for none. */
  readonly masks: ResourceMasks;
}

/** Where an allowed action comes from: a role the contractor holds or a grant by id. */
export type AccessVia = `role:${string}` | `grant:${string}`;

export interface EffectiveAccess {
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly via: readonly AccessVia[];
}

export class AccessIndex {
  readonly #resources: ReadonlySet<string>;
  readonly #resourceNames: readonly string[];
  readonly #subjects: ReadonlyMap<string, SubjectAccess>;
  readonly #guardrails: ReadonlyMap<string, readonly NumberedGuardrail[]>;

  constructor(
    resourceNames: readonly string[],
    subjects: ReadonlyMap<string, SubjectAccess>,
    guardrails: ReadonlyMap<string, readonly NumberedGuardrail[]> = new Map(),
  ) {
    this.#resourceNames = Object.freeze([...resourceNames].sort());
    this.#resources = new Set(resourceNames);
    this.#subjects = subjects;
    this.#guardrails = guardrails;
  }

  /** The guardrails selecting a resource, in policy order; empty for none. */
  guardrails(resource: string): readonly NumberedGuardrail[] {
    return this.#guardrails.get(resource) ?? NO_GUARDRAILS;
  }

  /** The masks applying to a contractor on a resource, or undefined when none do (the common case). */
  masks(email: string, resource: string): MaskSet | undefined {
    return this.subject(email)?.masks.get(resource);
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
  const roleSetMasks = new Map<string, ResourceMasks>();
  const grantsByEmail = groupGrants(model.grants, new Set(resourceNames));
  const compiledRole = (name: string): CompiledRole => {
    let role = compiledRoles.get(name);
    if (role === undefined) {
      role = compileRole(roles.get(name)!, model.resources);
      compiledRoles.set(name, role);
    }
    return role;
  };

  const subjects = new Map<string, SubjectAccess>();
  for (const contractor of model.contractors) {
    const email = contractor.email.toLowerCase();
    const held = [...new Set(contractor.roles)].filter((name) => roles.has(name)).sort();
    // Contractors mostly share a handful of role sets; compile each set once and share its table.
    const key = held.join('\n');
    let table = roleSetTables.get(key);
    if (table === undefined) {
      table = combineRoles(held.map(compiledRole));
      roleSetTables.set(key, table);
    }
    let masks = roleSetMasks.get(key);
    if (masks === undefined) {
      masks = masksForRoles(held.map((name) => roles.get(name)!), model.resources, model.maskingHashKeyEnv ?? null);
      roleSetMasks.set(key, masks);
    }
    const grants = grantsByEmail.get(email);
    const access = grants === undefined ? table : overlayGrants(table, grants);
    subjects.set(email, compileSubject({ ...contractor, email }, access, masks));
  }
  return new AccessIndex(resourceNames, subjects, guardrailsByResource(model));
}

function guardrailsByResource(model: AccessModel): Map<string, NumberedGuardrail[]> {
  const byResource = new Map<string, NumberedGuardrail[]>();
  (model.guardrails ?? []).forEach((rule, index) => {
    for (const resource of selectResources(rule.resources, model.resources)) {
      const list = byResource.get(resource.name);
      const numbered = Object.freeze({ number: index + 1, rule });
      if (list === undefined) byResource.set(resource.name, [numbered]);
      else list.push(numbered);
    }
  });
  return byResource;
}

function compileSubject(contractor: ContractorInfo, access: ResourceTable, masks: ResourceMasks = NO_MASKS): SubjectAccess {
  return Object.freeze({
    masks,
    contractor: Object.freeze({ ...contractor, roles: Object.freeze([...contractor.roles]) }),
    access,
    offboarded: denial('DENY_OFFBOARDED', offboardedMessage(contractor.email)),
    engagementEnded: denial('DENY_ENGAGEMENT_ENDED', engagementEndedMessage(contractor.email, contractor.untilAt)),
    tokenExpired: denial('DENY_TOKEN_EXPIRED', tokenExpiredMessage(contractor.email)),
  });
}
