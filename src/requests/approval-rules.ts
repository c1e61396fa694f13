/**
 * Reading the policy's approval rules: which rule governs a request, who may
 * approve under it, and what a contractor can request at all (for the error
 * that says so). Always against the policy in force now, so removing an
 * approver or a rule applies to requests already pending.
 */
import type { Action, ResourceInfo } from '../access/access-model.ts';
import { ACTIONS } from '../access/access-model.ts';
import { selectResources, selectorMatches } from '../access/resource-selector.ts';
import type { ApprovalRule, CompiledPolicy } from '../policy/policy-types.ts';
import { formatDuration } from '../time/duration.ts';

const DECIDING_ROLES = new Set(['approver', 'admin']);

/**
 * The rule a request for `actions` on `resource` falls under: one covering
 * the resource and every action asked for. When several do, the strictest
 * governs (most approvals, then shortest maximum, then one that wants a
 * reason), so overlapping rules can never be used to pick the easier path.
 */
export function governingRule(policy: CompiledPolicy, resource: ResourceInfo, actions: readonly Action[]): ApprovalRule | undefined {
  let chosen: ApprovalRule | undefined;
  for (const rule of policy.approvals ?? []) {
    if (!selectorMatches(rule.resources, resource) || !actions.every((action) => rule.actions.includes(action))) continue;
    if (chosen === undefined || stricter(rule, chosen)) chosen = rule;
  }
  return chosen;
}

function stricter(a: ApprovalRule, b: ApprovalRule): boolean {
  if (a.minApprovals !== b.minApprovals) return a.minApprovals > b.minApprovals;
  if (a.maxDurationMs !== b.maxDurationMs) return a.maxDurationMs < b.maxDurationMs;
  return a.requireReason && !b.requireReason;
}

/** Staff who may approve under `rule`: listed by email or through a group, holding the approver or admin role; sorted. */
export function eligibleApprovers(policy: CompiledPolicy, rule: ApprovalRule, requester?: string): string[] {
  const listed = new Set(rule.approvers.filter((entry) => !entry.startsWith('group:')));
  const groups = new Set(rule.approvers.filter((entry) => entry.startsWith('group:')).map((entry) => entry.slice('group:'.length)));
  const eligible = policy.staff
    .filter((member) => member.roles.some((role) => DECIDING_ROLES.has(role)))
    .filter((member) => listed.has(member.email) || member.groups.some((group) => groups.has(group)))
    .map((member) => member.email);
  // A requester never approves their own request, whatever the rule lists.
  return eligible.filter((email) => email !== requester).sort();
}

/** What a rule lets be requested on one resource, with its terms in words. */
export interface Requestable {
  readonly resource: string;
  readonly actions: readonly Action[];
  /** "write on billing (at most 4h, 1 approval, reason required)" */
  readonly text: string;
}

/** Everything the rules let be requested, one entry per rule and resource, sorted by text. */
export function requestables(policy: CompiledPolicy): Requestable[] {
  const entries = new Map<string, Requestable>();
  for (const rule of policy.approvals ?? []) {
    const terms = [`at most ${formatDuration(rule.maxDurationMs)}`, rule.minApprovals === 1 ? '1 approval' : `${rule.minApprovals} approvals`];
    if (rule.requireReason) terms.push('reason required');
    const actions = ACTIONS.filter((action) => rule.actions.includes(action));
    for (const resource of selectResources(rule.resources, policy.resources)) {
      const text = `${actions.join(', ')} on ${resource.name} (${terms.join(', ')})`;
      entries.set(text, { resource: resource.name, actions, text });
    }
  }
  return [...entries.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

/** The sentence an unrequestable request ends with: what this requester can request instead (`useful` leaves out what would change nothing for them). */
export function requestableHint(policy: CompiledPolicy, useful: (entry: Requestable) => boolean = () => true): string {
  const lines = requestables(policy).filter(useful).map((entry) => entry.text);
  return lines.length === 0 ? 'Nothing can be requested by you under the approval rules in force.' : `Requestable: ${lines.join('; ')}.`;
}
