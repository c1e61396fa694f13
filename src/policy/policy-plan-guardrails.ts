/**
 * The `guardrail.*` lines of a plan. A guardrail is known by its number (its
 * position in the policy), the name refusals give it, so a plan says
 * "guardrail #2" exactly as a contractor's error message would.
 */
import type { GuardrailRule } from '../access/access-model.ts';
import { guardrailName } from '../access/decision-messages.ts';
import { selectorText } from '../access/statement-access.ts';
import { formatDuration } from '../time/duration.ts';
import type { PlanChange } from './policy-plan.ts';

export function diffGuardrails(next: readonly GuardrailRule[], previous: readonly GuardrailRule[]): PlanChange[] {
  const changes: PlanChange[] = [];
  const count = Math.max(next.length, previous.length);
  for (let index = 0; index < count; index++) {
    const after = next[index];
    const before = previous[index];
    const subject = `guardrail #${index + 1}`;
    if (before === undefined && after !== undefined) {
      changes.push({ kind: 'guardrail.added', subject, text: `${nameOf(index, after)}: ${describeGuardrail(after)}` });
    } else if (after === undefined && before !== undefined) {
      changes.push({ kind: 'guardrail.removed', subject, text: `${nameOf(index, before)}: no longer applies (${describeGuardrail(before)})` });
    } else if (after !== undefined && before !== undefined) {
      const was = `${selectorText(before.resources)}: ${describeGuardrail(before)}`;
      const will = `${selectorText(after.resources)}: ${describeGuardrail(after)}`;
      if (was !== will) changes.push({ kind: 'guardrail.changed', subject, text: `${subject} was on ${was}; now on ${will}` });
    }
  }
  return changes;
}

/** What a guardrail does, in words: `denies ddl, admin; write only through an approved request; blocks truncate`. */
export function describeGuardrail(rule: GuardrailRule): string {
  const parts: string[] = [];
  if (rule.deny.length > 0) parts.push(`denies ${rule.deny.join(', ')}`);
  if (rule.requireApproval.length > 0) parts.push(`${rule.requireApproval.join(', ')} only through an approved request`);
  if (rule.block.length > 0) parts.push(`blocks ${rule.block.join(', ')}`);
  if (rule.statementTimeoutMs !== undefined) parts.push(`statement_timeout ${formatDuration(rule.statementTimeoutMs)}`);
  if (rule.maxRows !== undefined) parts.push(`results cut at ${rule.maxRows} rows`);
  return parts.length === 0 ? 'does nothing' : parts.join('; ');
}

function nameOf(index: number, rule: GuardrailRule): string {
  return guardrailName(index + 1, selectorText(rule.resources));
}
