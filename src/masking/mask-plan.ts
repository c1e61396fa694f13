/**
 * The masking lines of a plan: which contractors lose or regain clear access
 * to which columns when the policy is applied, so a reviewer sees the effect
 * of a new `mask:` on people, not only on roles.
 */
import type { AccessIndex } from '../access/access-index.ts';
import { maskedColumnKeys } from './mask-index.ts';

export interface MaskAccessChange {
  readonly email: string;
  readonly direction: 'lost' | 'gained';
  readonly text: string;
}

export function diffMaskAccess(before: AccessIndex, after: AccessIndex): MaskAccessChange[] {
  const changes: MaskAccessChange[] = [];
  const emails = [...new Set([...before.subjectEmails(), ...after.subjectEmails()])].sort();
  for (const email of emails) {
    const was = maskedColumnKeys(before.subject(email)?.masks ?? new Map());
    const now = maskedColumnKeys(after.subject(email)?.masks ?? new Map());
    for (const key of [...now].sort()) {
      if (was.has(key)) continue;
      const [resource, column] = key.split('\n');
      changes.push({ email, direction: 'lost', text: `${email} loses clear access to ${column} on ${resource} (masked)` });
    }
    // Someone who loses the resource altogether is reported by the access lines; only keep those who still reach it.
    for (const key of [...was].sort()) {
      if (now.has(key)) continue;
      const [resource, column] = key.split('\n');
      if (after.subject(email) === undefined) continue;
      changes.push({ email, direction: 'gained', text: `${email} gains clear access to ${column} on ${resource} (no longer masked)` });
    }
  }
  return changes;
}
