import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.ts';
import type { AuditOutcome } from './audit-event.ts';

/** The fields of an event the chain covers: everything except the hashes themselves. */
export interface ChainFields {
  readonly seq: number;
  readonly ts: number;
  readonly code: string;
  readonly outcome: AuditOutcome;
  readonly actor: string;
  readonly resource: string | null;
  readonly subject: string | null;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * hash = sha256hex(prevHash + '\n' + canonicalJson({ seq, ts, code, outcome, actor, resource, subject, summary, data })).
 *
 * The seq is inside the hash, so an event cannot be moved to another position
 * without its hash changing; the previous hash is outside the JSON so anyone
 * can recompute the chain with a one-line script.
 */
export function computeEventHash(prevHash: string, fields: ChainFields): string {
  const body = canonicalJson({
    seq: fields.seq,
    ts: fields.ts,
    code: fields.code,
    outcome: fields.outcome,
    actor: fields.actor,
    resource: fields.resource,
    subject: fields.subject,
    summary: fields.summary,
    data: fields.data,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
