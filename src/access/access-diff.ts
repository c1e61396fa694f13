/**
 * What changes for people when the access model changes: the consequences a
 * plan shows next to the edits that cause them, so a reviewer sees "alice
 * loses write on demo" rather than having to work it out from a role diff.
 */
import { ACTIONS, type Action } from './access-model.ts';
import type { AccessIndex } from './access-index.ts';

export interface AccessChange {
  readonly email: string;
  readonly direction: 'gained' | 'lost';
  readonly action: Action;
  /** Sorted resource names. */
  readonly resources: readonly string[];
}

/**
 * Compares every contractor × resource × action of two indexes at `now`.
 * Ordered by email, then gains before losses, then action (read, write, ddl, admin).
 */
export function diffAccess(before: AccessIndex, after: AccessIndex, now: number): AccessChange[] {
  const emails = [...new Set([...before.subjectEmails(), ...after.subjectEmails()])].sort();
  const changes: AccessChange[] = [];
  for (const email of emails) {
    const was = actionsByResource(before, email, now);
    const will = actionsByResource(after, email, now);
    for (const direction of ['gained', 'lost'] as const) {
      const [from, to] = direction === 'gained' ? [was, will] : [will, was];
      for (const action of ACTIONS) {
        const resources: string[] = [];
        for (const [resource, actions] of to) {
          if (actions.has(action) && from.get(resource)?.has(action) !== true) resources.push(resource);
        }
        if (resources.length > 0) changes.push({ email, direction, action, resources: resources.sort() });
      }
    }
  }
  return changes;
}

function actionsByResource(index: AccessIndex, email: string, now: number): Map<string, Set<Action>> {
  return new Map(index.effectiveAccess(email, now).map((access) => [access.resource, new Set(access.actions)]));
}
