import type { AccessIndex } from '../access/access-index.ts';
import type { Action } from '../access/access-model.ts';
import { decide } from '../access/decide.ts';
import { StintError } from '../errors/stint-error.ts';
import type { AccessRequestView } from './request-types.ts';

/**
 * Why a request could change nothing, or null when it could: an action a
 * deny rule forbids stays forbidden whatever is granted (deny beats allow),
 * and actions the roles already allow need no grant.
 */
export function uselessBecause(index: AccessIndex, email: string, resource: string, actions: readonly Action[], now: number): string | null {
  const decisions = actions.map((action) => ({ action, decision: decide(index, { email, tokenExpiresAt: null }, resource, action, now) }));
  const denied = decisions.find((d) => d.decision.reason === 'DENY_RULE');
  if (denied !== undefined) return `${denied.action} on ${resource} is forbidden by a deny rule of your roles, which no grant can override: ${denied.decision.message}.`;
  // A role's allow leaves something to request when a guardrail wants an approved grant, or the role is limited to some tables.
  const roleIsEnough = (action: Action): boolean =>
    !index.guardrails(resource).some(({ rule }) => rule.requireApproval.includes(action)) &&
    (index.subject(email)?.access.get(resource)?.get(action)?.tableScope ?? null) === null;
  if (decisions.every((d) => d.decision.reason === 'ALLOW_ROLE' && roleIsEnough(d.action))) return `You already have ${actions.join(', ')} on ${resource} through your roles; there is nothing to request.`;
  return null;
}

/** A request that could change nothing is refused rather than sent to approvers. */
export function checkRequestUseful(index: AccessIndex, email: string, resource: string, actions: readonly Action[], now: number): void {
  const because = uselessBecause(index, email, resource, actions, now);
  if (because !== null) throw new StintError('STINT_ERR_NOT_REQUESTABLE', because);
}

/** Approvers see the requests they may approve now, and those they took part in. */
export function mayApproverSee(view: AccessRequestView, email: string): boolean {
  return view.approvers.includes(email) || view.decidedBy === email || view.approvals.some((approval) => approval.approver === email);
}
