/**
 * The sentences a contractor reads when Stint decides. Each names who, what
 * and where, and says what to do next. No trailing period: clients such as
 * psql print them as error lines, where PostgreSQL's own style has none.
 */
import { formatDuration } from '../time/duration.ts';
import { isoString } from '../time/instant.ts';
import type { Action } from './access-model.ts';

export function allowRoleMessage(email: string, action: Action, resource: string, roles: readonly string[]): string {
  const via = roles.length === 1 ? `role ${roles[0]}` : `roles ${roles.join(', ')}`;
  return `${email} may ${action} on ${resource} through ${via}`;
}

export function allowGrantMessage(email: string, action: Action, resource: string, grantId: string): string {
  return `${email} may ${action} on ${resource} through grant ${grantId}`;
}

export function noGrantMessage(email: string, action: Action, resource: string): string {
  return `${email} has no grant for ${action} on ${resource}; ask your sponsor or request access`;
}

export function denyRuleMessage(email: string, action: Action, resource: string, roles: readonly string[]): string {
  const by = roles.length === 1 ? `role ${roles[0]} denies it` : `roles ${roles.join(', ')} deny it`;
  return `${email} may not ${action} on ${resource}: ${by}; ask your sponsor if you need this`;
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

export function sessionExpiredMessage(email: string, action: Action, resource: string, maxSessionMs: number): string {
  return `this session of ${email} reached the ${formatDuration(maxSessionMs)} limit for ${action} on ${resource}; connect again to start a new session`;
}
