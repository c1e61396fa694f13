/**
 * The sentences a contractor reads when Stint decides. Each names what and
 * where (and who, where that can differ from the asker's own identity), and
 * says what to do next. No trailing period: clients such as
 * psql print them as error lines, where PostgreSQL's own style has none.
 */
import { formatDuration } from '../time/duration.ts';
import { isoString } from '../time/instant.ts';
import type { Action } from './access-model.ts';

function roleList(roles: readonly string[]): string {
  return roles.length === 1 ? `role ${roles[0]}` : `roles ${roles.join(', ')}`;
}

// The next three depend only on the roles, resource and action, so the index
// builds them once per entry and deciding an allowed action allocates no text.

export function allowRoleMessage(action: Action, resource: string, roles: readonly string[]): string {
  return `${action} on ${resource} is allowed through ${roleList(roles)}`;
}

export function denyRuleMessage(action: Action, resource: string, roles: readonly string[]): string {
  return `${action} on ${resource} is denied by ${roleList(roles)}; ask your sponsor if you need it`;
}

export function sessionExpiredMessage(action: Action, resource: string, maxSessionMs: number): string {
  return `this session reached the ${formatDuration(maxSessionMs)} limit for ${action} on ${resource}; connect again to start a new session`;
}

export function allowGrantMessage(action: Action, resource: string, grantId: string): string {
  return `${action} on ${resource} is allowed through grant ${grantId}`;
}

export function noGrantMessage(email: string, action: Action, resource: string): string {
  return `${email} has no grant for ${action} on ${resource}; ask your sponsor or request access`;
}

export function unknownResourceMessage(resource: string): string {
  return `there is no resource named "${resource}"; check the name, or ask your sponsor which resources you can reach`;
}

export function unknownSubjectMessage(email: string): string {
  return `no contractor ${email} is on record; ask your sponsor for an invite`;
}

export function offboardedMessage(email: string): string {
  return `${email} has been offboarded, so Stint grants no access; ask your sponsor if this is a mistake`;
}

export function engagementEndedMessage(email: string, untilAt: number): string {
  return `the engagement of ${email} ended at ${isoString(untilAt)}; ask your sponsor to extend it`;
}

export function tokenExpiredMessage(email: string): string {
  return `the token presented for ${email} has expired; ask an administrator for a new token or your sponsor for a new invite`;
}

export function tableScopeMessage(action: Action, table: string, resource: string, scope: readonly string[]): string {
  return `${action} on ${table} is outside your grant on ${resource} (tables: ${scope.join(', ')}); ask your sponsor to add the table, or request access: stint request ${resource} --action ${action}`;
}

export function tableDenyMessage(action: Action, table: string, resource: string, role: string): string {
  return `${action} on ${table} of ${resource} is denied by role ${role}; ask your sponsor if you need it`;
}

/** How a guardrail is named in refusals: its position in the policy and what it selects. */
export function guardrailName(number: number, selector: string): string {
  return `guardrail #${number} (${selector})`;
}

export function guardrailDenyMessage(action: Action, resource: string, guardrail: string): string {
  return `${action} statements on ${resource} are denied by ${guardrail} whatever your roles grant; ask your sponsor for a change through the team that owns ${resource}`;
}

export function guardrailApprovalMessage(action: Action, resource: string, guardrail: string): string {
  return `${action} on ${resource} needs an approved access request under ${guardrail}; request it: stint request ${resource} --action ${action} --for 30m --reason "..."`;
}
