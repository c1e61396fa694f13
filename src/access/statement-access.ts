/**
 * The per-statement question: may this identity run this statement, of this
 * action, on this resource now? It starts from `decide` (who may do the
 * action at all), then applies what depends on the statement itself:
 * guardrails (which beat roles), deny rules limited to tables, and the table
 * scope of the rules that allow the action. Pure, like decide.
 */
import type { Action, BlockableStatement, ResourceSelector } from './access-model.ts';
import { labelsText } from './access-rule-text.ts';
import type { AccessIndex, ActionAccess, NumberedGuardrail } from './access-index.ts';
import { decide, latestActiveGrant, type AccessIdentity } from './decide.ts';
import { NO_OBLIGATIONS, type Decision, type ReasonCode } from './decision.ts';
import {
  allowGrantMessage,
  guardrailApprovalMessage,
  guardrailDenyMessage,
  guardrailName,
  tableDenyMessage,
  tableScopeMessage,
} from './decision-messages.ts';
import { decideUnsafe } from './statement-unsafe.ts';
import { firstOutsideScope, tableMatches, touchedTables } from './table-scope.ts';
import { applyMasking, type MaskedStatement } from './statement-masking.ts';

/** What the decision needs to know of a statement (the SQL classifier's StatementInfo fits). */
export interface StatementShape extends MaskedStatement {
  readonly tablesRead: readonly string[];
  readonly tablesWritten: readonly string[];
  readonly deleteWithoutWhere?: boolean;
  readonly updateWithoutWhere?: boolean;
  readonly truncates?: boolean;
  /** Why the statement is unsafe, for the refusal (see statement-unsafe.ts). */
  readonly unsafeReasons?: readonly string[];
  /** Opaque code alone makes it unsafe: a role holding ddl or admin may run it. */
  readonly opaqueCode?: 'do' | 'security_definer';
}

const GUARDRAIL_DENY: Readonly<Record<Action, ReasonCode>> = {
  read: 'DENY_GUARDRAIL_READ',
  write: 'DENY_GUARDRAIL_WRITE',
  ddl: 'DENY_GUARDRAIL_DDL',
  admin: 'DENY_GUARDRAIL_ADMIN',
  unsafe: 'DENY_GUARDRAIL_UNSAFE',
};

export function decideStatement(
  index: AccessIndex,
  identity: AccessIdentity,
  resource: string,
  action: Action,
  statement: StatementShape,
  now: number,
): Decision {
  // Masks and row limits apply to whatever the other checks allow.
  return applyMasking(index, identity, resource, statement, decideUnmasked(index, identity, resource, action, statement, now));
}

function decideUnmasked(
  index: AccessIndex,
  identity: AccessIdentity,
  resource: string,
  action: Action,
  statement: StatementShape,
  now: number,
): Decision {
  if (action === 'unsafe') {
    // The covering action is decided unmasked: masking applies once, to the final decision.
    const unsafe = decideUnsafe(index, identity, resource, statement, now, (other) => decideUnmasked(index, identity, resource, other, statement, now));
    if (unsafe !== undefined) return unsafe;
  }
  const base = decide(index, identity, resource, action, now);
  if (!base.allow) return base;
  const guardrails = index.guardrails(resource);
  const access = index.subject(identity.email)?.access.get(resource)?.get(action);
  // The common case — no guardrail, no table limits — costs two lookups.
  if (guardrails.length === 0 && (access === undefined || (access.tableScope === null && access.deniedTables.length === 0))) return base;

  let needsApproval: NumberedGuardrail | undefined;
  for (const guardrail of guardrails) {
    const { rule } = guardrail;
    if (rule.deny.includes(action)) return deny(GUARDRAIL_DENY[action], guardrailDenyMessage(action, resource, guardrailText(guardrail)));
    const blocked = blockedShape(rule.block, statement);
    if (blocked !== undefined) return deny('DENY_GUARDRAIL_BLOCK', blockMessage(blocked, resource, guardrailText(guardrail)));
    if (needsApproval === undefined && rule.requireApproval.includes(action)) needsApproval = guardrail;
  }
  if (access === undefined) return base;

  const tables = touchedTables(statement);
  for (const { pattern, role } of access.deniedTables) {
    const table = tables.find((name) => tableMatches(name, pattern));
    if (table !== undefined) return deny('DENY_RULE', tableDenyMessage(action, table, resource, role));
  }

  if (base.reason !== 'ALLOW_ROLE') return base;
  // A role allowed it; an approved grant is still needed under require_approval, or to go past the role's tables.
  const outside = firstOutsideScope(tables, access.tableScope);
  if (needsApproval === undefined && outside === undefined) return base;
  const viaGrant = grantDecision(access, action, resource, base, now);
  if (viaGrant !== undefined) return viaGrant;
  if (needsApproval !== undefined) return deny('DENY_GUARDRAIL_APPROVAL', guardrailApprovalMessage(action, resource, guardrailText(needsApproval)));
  return deny('DENY_TABLE_SCOPE', tableScopeMessage(action, outside!, resource, access.tableScope ?? []));
}

/** Grants from approved requests cover every table of their resource. */
function grantDecision(access: ActionAccess, action: Action, resource: string, base: Decision, now: number): Decision | undefined {
  const grant = latestActiveGrant(access, now);
  if (grant === undefined) return undefined;
  const expiresAt = base.expiresAt === null || grant.expiresAt < base.expiresAt ? grant.expiresAt : base.expiresAt;
  return { allow: true, reason: 'ALLOW_GRANT', message: allowGrantMessage(action, resource, grant.id), obligations: NO_OBLIGATIONS, expiresAt };
}

export function blockedShape(block: readonly BlockableStatement[], statement: StatementShape): BlockableStatement | undefined {
  if (statement.deleteWithoutWhere === true && block.includes('delete_without_where')) return 'delete_without_where';
  if (statement.updateWithoutWhere === true && block.includes('update_without_where')) return 'update_without_where';
  if (statement.truncates === true && block.includes('truncate')) return 'truncate';
  return undefined;
}

function blockMessage(shape: BlockableStatement, resource: string, guardrail: string): string {
  switch (shape) {
    case 'delete_without_where':
      return `DELETE without a WHERE clause on ${resource} is blocked by ${guardrail}; add a WHERE clause naming the rows to delete`;
    case 'update_without_where':
      return `UPDATE without a WHERE clause on ${resource} is blocked by ${guardrail}; add a WHERE clause naming the rows to change`;
    case 'truncate':
      return `TRUNCATE on ${resource} is blocked by ${guardrail}; use DELETE ... WHERE ... for the rows you mean, or ask your sponsor`;
  }
}

export function selectorText(selector: ResourceSelector): string {
  const parts: string[] = [];
  if (selector.names !== undefined && selector.names.length > 0) parts.push(`names ${[...selector.names].sort().join(', ')}`);
  if (selector.labels !== undefined) parts.push(`labels ${labelsText(selector.labels)}`);
  return parts.join(' or ');
}

function guardrailText(guardrail: NumberedGuardrail): string {
  return guardrailName(guardrail.number, selectorText(guardrail.rule.resources));
}

function deny(reason: ReasonCode, message: string): Decision {
  return { allow: false, reason, message, obligations: NO_OBLIGATIONS, expiresAt: null };
}
