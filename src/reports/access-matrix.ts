/**
 * The effective access matrix of the console: contractor × resource × actions,
 * with table limits, masks and guardrails. Every cell is asked of the same
 * decision code the gateway runs (decideStatement over the live access index),
 * so the matrix cannot show access the gateway would refuse, or hide access it
 * would allow.
 */
import type { AccessIndex } from '../access/access-index.ts';
import { ACTIONS, type AccessRule, type Action, type GuardrailRule, type ResourceSelector } from '../access/access-model.ts';
import { decideStatement } from '../access/statement-access.ts';
import { maskText } from '../masking/mask-rules.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';

export type MatrixVia = { readonly kind: 'role'; readonly name: string } | { readonly kind: 'grant'; readonly id: string; readonly expiresAt: string };

export interface MatrixRow {
  readonly email: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  /** Table patterns the allowed actions are limited to; absent when some action reaches every table. */
  readonly tables?: readonly string[];
  /** Masked columns (`table.column`) the decision attaches to the access; empty when none. */
  readonly masks: readonly string[];
  /** Numbers of the guardrails (position in the policy, from 1) selecting the resource. */
  readonly guardrails: readonly number[];
  readonly via: readonly MatrixVia[];
  /** When the last of these actions ends: the engagement end, or a grant's expiry if only grants allow it. */
  readonly expiresAt: string;
}

export interface MatrixRule {
  readonly effect: 'allow' | 'deny';
  readonly resources: ResourceSelector;
  readonly actions: readonly Action[];
  readonly tables?: readonly string[];
  /** Masked columns as declared (grant rules), e.g. `public.customers.phone (partial, keep 4)`. */
  readonly mask?: readonly string[];
}

export interface AccessMatrix {
  readonly resources: readonly { readonly name: string; readonly kind: string; readonly labels: Readonly<Record<string, string>> }[];
  readonly roles: readonly { readonly name: string; readonly maxSessionMs: number | null; readonly rules: readonly MatrixRule[] }[];
  readonly guardrails: readonly (GuardrailRule & { readonly number: number })[];
  readonly rows: readonly MatrixRow[];
}

/** A statement touching no table: what the gateway allows for the action itself, guardrails included. */
const ANY_STATEMENT = { tablesRead: [], tablesWritten: [] } as const;

function rule(effect: 'allow' | 'deny', declared: AccessRule): MatrixRule {
  return {
    effect,
    resources: declared.resources,
    actions: declared.actions,
    ...(declared.tables === undefined ? {} : { tables: declared.tables }),
    ...(declared.mask === undefined || declared.mask.length === 0 ? {} : { mask: declared.mask.map(maskText) }),
  };
}

export function buildAccessMatrix(policy: CompiledPolicy | null, index: AccessIndex, now: number): AccessMatrix {
  const rows: MatrixRow[] = [];
  for (const email of index.subjectEmails()) {
    // effectiveAccess names only resources where something allows an action; each cell is then decided.
    for (const effective of index.effectiveAccess(email, now)) {
      const row = matrixRow(index, email, effective.resource, now);
      if (row !== null) rows.push(row);
    }
  }
  return {
    resources: (policy?.resources ?? []).map((r) => ({ name: r.name, kind: r.kind, labels: r.labels })),
    roles: (policy?.roles ?? []).map((role) => ({
      name: role.name,
      maxSessionMs: role.maxSessionMs,
      rules: [...role.grants.map((g) => rule('allow', g)), ...role.denies.map((d) => rule('deny', d))],
    })),
    guardrails: (policy?.guardrails ?? []).map((g, i) => ({ number: i + 1, ...g })),
    rows,
  };
}

function matrixRow(index: AccessIndex, email: string, resource: string, now: number): MatrixRow | null {
  const subject = index.subject(email);
  if (subject === undefined) return null;
  const identity = { email, tokenExpiresAt: null };
  const table = subject.access.get(resource);
  const actions: Action[] = [];
  const masks = new Set<string>();
  const roles = new Set<string>();
  const grants = new Map<string, number>();
  let everyTable = false;
  const tables = new Set<string>();
  let expiresAt = 0;
  for (const action of ACTIONS) {
    const decision = decideStatement(index, identity, resource, action, ANY_STATEMENT, now);
    if (!decision.allow) continue;
    actions.push(action);
    for (const obligation of decision.obligations) {
      if (obligation.kind !== 'mask') continue;
      for (const column of obligation.columns) masks.add(`${obligation.table}.${column}`);
    }
    const entry = table?.get(action);
    if (entry === undefined) continue;
    if (decision.reason === 'ALLOW_ROLE') {
      for (const role of entry.grantingRoles) roles.add(role);
      if (entry.tableScope === null) everyTable = true;
      else for (const pattern of entry.tableScope) tables.add(pattern);
      expiresAt = Math.max(expiresAt, subject.contractor.untilAt);
    } else {
      // Grants from approved requests reach every table of their resource.
      everyTable = true;
    }
    for (const grant of entry.grants) {
      if (grant.startsAt > now || now >= grant.expiresAt) continue;
      grants.set(grant.id, grant.expiresAt);
      expiresAt = Math.max(expiresAt, Math.min(grant.expiresAt, subject.contractor.untilAt));
    }
  }
  if (actions.length === 0) return null;
  const via: MatrixVia[] = [
    ...[...roles].sort().map((name): MatrixVia => ({ kind: 'role', name })),
    ...[...grants.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, at]): MatrixVia => ({ kind: 'grant', id, expiresAt: new Date(at).toISOString() })),
  ];
  return {
    email,
    resource,
    actions,
    ...(everyTable ? {} : { tables: [...tables].sort() }),
    masks: [...masks].sort(),
    guardrails: index.guardrails(resource).map((g) => g.number),
    via,
    expiresAt: new Date(expiresAt === 0 ? subject.contractor.untilAt : expiresAt).toISOString(),
  };
}
