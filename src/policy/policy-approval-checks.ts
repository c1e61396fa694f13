/**
 * Checks of the `approvals:` section that need the rest of the policy:
 * approvers must be declared staff (or groups staff belong to) who may decide
 * requests, a rule must be satisfiable (min_approvals no larger than the
 * number of distinct eligible approvers), its resources must exist, and two
 * rules must not cover the same resources and actions with different terms.
 *
 * Like the other reference checks it reads the raw data defensively: values
 * of the wrong shape are left to the schema, which reports them.
 */
import type { ErrorDetail } from '../errors/stint-error.ts';
import { findClosest } from './closest-match.ts';
import { asRecord, type MergedPolicy } from './policy-merge.ts';
import type { PolicyWarning } from './policy-types.ts';
import { formatFieldPath, locate, type ParsedPolicyFile, type PathSegment } from './policy-yaml.ts';

/** Staff roles that may decide access requests. */
const DECIDING_ROLES = new Set(['approver', 'admin']);

interface StaffFacts {
  readonly emails: readonly string[];
  /** email → may decide (holds approver or admin). */
  readonly deciders: ReadonlySet<string>;
  /** group → members, lower-cased emails. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

function staffFacts(merged: MergedPolicy): StaffFacts {
  const deciders = new Set<string>();
  const groups = new Map<string, string[]>();
  for (const [email, entry] of merged.sections.staff) {
    const member = asRecord(entry.value);
    const roles = Array.isArray(member?.roles) ? member.roles : [];
    if (roles.some((role) => typeof role === 'string' && DECIDING_ROLES.has(role))) deciders.add(email);
    for (const group of Array.isArray(member?.groups) ? member.groups : []) {
      if (typeof group !== 'string') continue;
      groups.set(group, [...(groups.get(group) ?? []), email]);
    }
  }
  return { emails: [...merged.sections.staff.keys()].sort(), deciders, groups };
}

export function checkApprovals(files: readonly ParsedPolicyFile[], merged: MergedPolicy): { errors: ErrorDetail[]; warnings: PolicyWarning[] } {
  const errors: ErrorDetail[] = [];
  const warnings: PolicyWarning[] = [];
  const staff = staffFacts(merged);
  const resources = merged.sections.resources;
  const resourceNames = [...resources.keys()].sort();
  const groupNames = [...staff.groups.keys()].sort();
  /** selector+actions → where first seen, to report overlapping rules. */
  const seen = new Map<string, { file: ParsedPolicyFile; index: number }>();

  for (const file of files) {
    const rules = asRecord(file.data)?.approvals;
    if (!Array.isArray(rules)) continue;
    rules.forEach((raw: unknown, index) => {
      const rule = asRecord(raw);
      if (rule === undefined) return;
      const at = (...path: PathSegment[]): PathSegment[] => ['approvals', index, ...path];
      const error = (path: readonly PathSegment[], message: string, fix: string, prefer: 'key' | 'value' = 'value'): void => {
        const position = locate(file, path, prefer);
        errors.push({ file: file.path, line: position.line, column: position.column, field: formatFieldPath(path), message, fix });
      };

      const selector = asRecord(rule.resources);
      if (selector !== undefined) {
        if (selector.names === undefined && selector.labels === undefined) {
          error(at('resources'), 'The rule selects no resources', 'Add names: [...] or labels: { key: value } under resources.');
        }
        if (Array.isArray(selector.names)) {
          selector.names.forEach((name: unknown, nameIndex) => {
            if (typeof name !== 'string' || resources.has(name)) return;
            const closest = findClosest(name, resourceNames);
            const declared = resourceNames.length === 0 ? 'No resources are declared yet; add one under resources.' : `Declared resources: ${resourceNames.join(', ')}.`;
            error(at('resources', 'names', nameIndex), `Unknown resource "${name}"`, `${closest === undefined ? '' : `Did you mean "${closest}"? `}${declared}`);
          });
        }
        const labels = asRecord(selector.labels);
        if (labels !== undefined && Object.keys(labels).length > 0 && ![...resources.values()].some((resource) => labelsMatch(resource.value, labels))) {
          const position = locate(file, at('resources', 'labels'));
          warnings.push({
            file: file.path,
            line: position.line,
            field: formatFieldPath(at('resources', 'labels')),
            message: 'No declared resource carries all of these labels, so nothing can be requested under this rule today.',
          });
        }
      }

      const eligible = new Set<string>();
      let approversValid = true;
      if (Array.isArray(rule.approvers)) {
        rule.approvers.forEach((approver: unknown, approverIndex) => {
          if (typeof approver !== 'string') return;
          if (approver.startsWith('group:')) {
            const group = approver.slice('group:'.length);
            const members = staff.groups.get(group);
            if (members === undefined) {
              approversValid = false;
              const closest = findClosest(group, groupNames);
              const declared = groupNames.length === 0 ? 'No staff member lists any group yet; add groups: [...] under staff.' : `Groups of declared staff: ${groupNames.join(', ')}.`;
              error(at('approvers', approverIndex), `Unknown group "${group}"`, `${closest === undefined ? '' : `Did you mean "group:${closest}"? `}${declared}`);
              return;
            }
            for (const member of members) if (staff.deciders.has(member)) eligible.add(member);
            return;
          }
          const email = approver.toLowerCase();
          if (!email.includes('@')) return; // not an email: the schema reports it
          if (!merged.sections.staff.has(email)) {
            approversValid = false;
            const closest = findClosest(email, staff.emails);
            const declared = staff.emails.length === 0 ? 'No staff are declared yet; add them under staff.' : `Declared staff: ${staff.emails.join(', ')}.`;
            error(at('approvers', approverIndex), `"${approver}" is not a declared staff member`, `${closest === undefined ? '' : `Did you mean "${closest}"? `}${declared}`);
            return;
          }
          if (!staff.deciders.has(email)) {
            approversValid = false;
            error(at('approvers', approverIndex), `${email} is staff but holds neither the approver nor the admin role`, `Give ${email} roles: [approver] under staff, or list someone who has it.`);
            return;
          }
          eligible.add(email);
        });
      }

      const min = typeof rule.min_approvals === 'number' && Number.isInteger(rule.min_approvals) ? rule.min_approvals : 1;
      if (approversValid && Array.isArray(rule.approvers) && rule.approvers.length > 0 && min > eligible.size) {
        const who = eligible.size === 0 ? 'nobody' : [...eligible].sort().join(', ');
        error(
          at(rule.min_approvals === undefined ? 'approvers' : 'min_approvals'),
          `The rule needs ${min} distinct approval(s) but only ${eligible.size} staff member(s) may approve under it (${who})`,
          'Lower min_approvals, or list more staff with the approver or admin role (by email or group).',
        );
      }

      const key = JSON.stringify([selectorKey(selector), actionsKey(rule.actions)]);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, { file, index });
      } else if (selector !== undefined && Array.isArray(rule.actions)) {
        const line = locate(first.file, ['approvals', first.index], 'value').line;
        const place = first.file === file ? `this file at line ${line}` : `${first.file.path} line ${line}`;
        error(at(), `Another approval rule covers the same resources and actions (${place})`, 'Merge the two rules into one: each set of resources and actions has one set of terms.', 'value');
      }
    });
  }
  return { errors, warnings };
}

function selectorKey(selector: Record<string, unknown> | undefined): unknown {
  const names = Array.isArray(selector?.names) ? [...new Set(selector.names.map(String))].sort() : null;
  const labels = asRecord(selector?.labels);
  return [names, labels === undefined ? null : Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))];
}

function actionsKey(actions: unknown): unknown {
  return Array.isArray(actions) ? [...new Set(actions.map(String))].sort() : null;
}

function labelsMatch(resource: unknown, wanted: Record<string, unknown>): boolean {
  const labels = asRecord(asRecord(resource)?.labels);
  if (labels === undefined) return false;
  return Object.entries(wanted).every(([key, value]) => labels[key] === value);
}
