/**
 * Checks that span entries: roles and resources named by other entries must
 * be declared, a role must do something, and a selector must select. Also
 * the non-fatal findings (selectors that match nothing today, secrets this
 * process cannot read, engagements already over).
 *
 * Like the merge, it reads the raw data defensively: a value of the wrong
 * shape is skipped here because the schema already reports it.
 */
import type { ErrorDetail } from '../errors/stint-error.ts';
import { tryParseEndInstant } from '../time/instant.ts';
import { findClosest } from './closest-match.ts';
import { asRecord, type MergedPolicy, type PolicyEntry } from './policy-merge.ts';
import { checkSecretRef, isSecretRef } from './policy-secrets.ts';
import type { PolicyWarning } from './policy-types.ts';
import { formatFieldPath, locate, type PathSegment } from './policy-yaml.ts';

export interface ReferenceCheckOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly now: number;
}

export function checkReferences(merged: MergedPolicy, options: ReferenceCheckOptions): { errors: ErrorDetail[]; warnings: PolicyWarning[] } {
  const errors: ErrorDetail[] = [];
  const warnings: PolicyWarning[] = [];
  const { resources, roles, contractors } = merged.sections;
  const resourceNames = [...resources.keys()].sort();
  const roleNames = [...roles.keys()].sort();

  const error = (entry: PolicyEntry, path: readonly PathSegment[], message: string, fix: string, prefer: 'key' | 'value' = 'value'): void => {
    const full = [entry.section, entry.rawKey, ...path];
    const at = locate(entry.file, full, prefer);
    errors.push({ file: entry.file.path, line: at.line, column: at.column, field: formatFieldPath(full), message, fix });
  };
  const warn = (entry: PolicyEntry, path: readonly PathSegment[], message: string): void => {
    const full = [entry.section, entry.rawKey, ...path];
    const at = locate(entry.file, full);
    warnings.push({ file: entry.file.path, line: at.line, field: formatFieldPath(full), message });
  };

  for (const entry of resources.values()) {
    const password = asRecord(asRecord(entry.value)?.credentials)?.password;
    if (typeof password === 'string' && isSecretRef(password)) {
      const problem = checkSecretRef(password, options.env);
      if (problem !== undefined) warn(entry, ['credentials', 'password'], `${problem} Connections to resource "${entry.key}" will fail until it is.`);
    }
  }

  for (const entry of roles.values()) {
    const role = asRecord(entry.value);
    if (role === undefined) continue;
    const grants = role.grants;
    const denies = role.deny;
    const isEmpty = (rules: unknown): boolean => rules === undefined || rules === null || (Array.isArray(rules) && rules.length === 0);
    if (isEmpty(grants) && isEmpty(denies)) {
      error(
        entry,
        [],
        `Role "${entry.key}" grants nothing and denies nothing`,
        'Add at least one rule under grants (e.g. - resources: { names: [demo] }, actions: [read]) or under deny, or remove the role.',
        'key',
      );
    }
    for (const [list, rules] of [['grants', grants], ['deny', denies]] as const) {
      if (!Array.isArray(rules)) continue;
      rules.forEach((rule: unknown, index) => {
        const selector = asRecord(asRecord(rule)?.resources);
        if (selector === undefined) return;
        const at: PathSegment[] = [list, index, 'resources'];
        if (selector.names === undefined && selector.labels === undefined) {
          error(entry, at, 'The rule selects no resources', 'Add names: [...] or labels: { key: value } under resources.');
        }
        if (Array.isArray(selector.names)) {
          selector.names.forEach((name: unknown, nameIndex) => {
            if (typeof name !== 'string' || resources.has(name)) return;
            const closest = findClosest(name, resourceNames);
            const declared = resourceNames.length === 0 ? 'No resources are declared yet; add one under resources.' : `Declared resources: ${resourceNames.join(', ')}.`;
            error(entry, [...at, 'names', nameIndex], `Unknown resource "${name}"`, `${closest === undefined ? '' : `Did you mean "${closest}"? `}${declared}`);
          });
        }
        const labels = asRecord(selector.labels);
        if (labels !== undefined && Object.keys(labels).length > 0 && ![...resources.values()].some((resource) => labelsMatch(resource.value, labels))) {
          warn(entry, [...at, 'labels'], `No declared resource carries all of the labels ${formatLabels(labels)}, so this rule covers nothing today.`);
        }
      });
    }
  }

  for (const entry of contractors.values()) {
    const contractor = asRecord(entry.value);
    if (contractor === undefined) continue;
    if (Array.isArray(contractor.roles)) {
      contractor.roles.forEach((role: unknown, index) => {
        if (typeof role !== 'string' || role === '' || roles.has(role)) return;
        const closest = findClosest(role, roleNames);
        const declared = roleNames.length === 0 ? 'No roles are declared yet; add one under roles.' : `Declared roles: ${roleNames.join(', ')}.`;
        error(entry, ['roles', index], `Unknown role "${role}"`, `${closest === undefined ? '' : `Did you mean "${closest}"? `}${declared}`);
      });
    }
    const untilAt = typeof contractor.until === 'string' ? tryParseEndInstant(contractor.until) : undefined;
    if (untilAt !== undefined && untilAt <= options.now) {
      warn(entry, ['until'], `The engagement of ${entry.key} ended at ${new Date(untilAt).toISOString()}; they have no access.`);
    }
  }

  return { errors, warnings };
}

function labelsMatch(resource: unknown, wanted: Record<string, unknown>): boolean {
  const labels = asRecord(asRecord(resource)?.labels);
  if (labels === undefined) return false;
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}

function formatLabels(labels: Record<string, unknown>): string {
  return `{ ${Object.entries(labels)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(', ')} }`;
}
