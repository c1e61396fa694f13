/**
 * Access rules and labels as people write and read them, for plans and
 * reports. Order-independent, so two equal rules always read the same.
 */
import { maskText } from '../masking/mask-rules.ts';
import { ACTIONS, type AccessRule, type ResourceInfo } from './access-model.ts';

/** `env=dev,team=data`, keys sorted; empty for no labels. */
export function labelsText(labels: ResourceInfo['labels']): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
}

/** `read, write on demo, reporting or env=dev`: actions in their usual order, names sorted, then the label match. */
export function ruleText(rule: AccessRule): string {
  const actions = ACTIONS.filter((action) => rule.actions.includes(action)).join(', ');
  const targets: string[] = [];
  const names = [...(rule.resources.names ?? [])].sort().join(', ');
  if (names !== '') targets.push(names);
  const labels = rule.resources.labels === undefined ? '' : labelsText(rule.resources.labels);
  if (labels !== '') targets.push(labels);
  const tables = rule.tables === undefined ? '' : ` (tables: ${[...rule.tables].sort().join(', ')})`;
  const masks = rule.mask === undefined ? '' : ` (masks: ${rule.mask.map(maskText).sort().join(', ')})`;
  return `${actions} on ${targets.length > 0 ? targets.join(' or ') : 'nothing'}${tables}${masks}`;
}

/** Every rule as text, sorted, so a reordering of the same rules is no change. */
export function rulesText(rules: readonly AccessRule[]): string[] {
  return rules.map(ruleText).sort();
}
