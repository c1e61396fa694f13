/**
 * The `approval.*` lines of a plan. Approval rules have no names, so a rule is
 * known by what it covers (its resources and actions, which validation keeps
 * unique); a rule covering the same things with other terms is a change.
 */
import { ruleText } from '../access/access-rule-text.ts';
import { formatDuration } from '../time/duration.ts';
import type { PlanChange } from './policy-plan.ts';
import type { ApprovalRule } from './policy-types.ts';

export function diffApprovals(next: readonly ApprovalRule[], previous: readonly ApprovalRule[]): PlanChange[] {
  const before = new Map(previous.map((rule) => [ruleText(rule), rule]));
  const after = new Map(next.map((rule) => [ruleText(rule), rule]));
  const changes: PlanChange[] = [];
  for (const [covers, rule] of after) {
    const old = before.get(covers);
    if (old === undefined) {
      changes.push({ kind: 'approval.added', subject: covers, text: `approval rule for ${covers}: ${describeApproval(rule)}` });
      continue;
    }
    const parts = approvalDifferences(old, rule);
    if (parts.length > 0) changes.push({ kind: 'approval.changed', subject: covers, text: `approval rule for ${covers}: ${parts.join('; ')}` });
  }
  for (const covers of before.keys()) {
    if (!after.has(covers)) changes.push({ kind: 'approval.removed', subject: covers, text: `approval rule for ${covers}: no longer requestable` });
  }
  return changes;
}

export function describeApproval(rule: ApprovalRule): string {
  const count = rule.minApprovals === 1 ? '1 approval' : `${rule.minApprovals} approvals`;
  const reason = rule.requireReason ? '; a reason is required' : '';
  return `${count} from ${rule.approvers.join(', ')}; at most ${formatDuration(rule.maxDurationMs)}${reason}`;
}

function approvalDifferences(before: ApprovalRule, after: ApprovalRule): string[] {
  const parts: string[] = [];
  const was = new Set(before.approvers);
  const will = new Set(after.approvers);
  const added = after.approvers.filter((approver) => !was.has(approver));
  const removed = before.approvers.filter((approver) => !will.has(approver));
  if (added.length > 0) parts.push(`approvers added ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`approvers removed ${removed.join(', ')}`);
  if (before.minApprovals !== after.minApprovals) parts.push(`min_approvals ${before.minApprovals} → ${after.minApprovals}`);
  if (before.maxDurationMs !== after.maxDurationMs) parts.push(`max_duration ${formatDuration(before.maxDurationMs)} → ${formatDuration(after.maxDurationMs)}`);
  if (before.requireReason !== after.requireReason) parts.push(after.requireReason ? 'a reason is now required' : 'a reason is no longer required');
  return parts;
}
