/**
 * Chains a batch of prepared events after the current head: each gets the
 * next seq, the previous event's hash and its own. One definition for every
 * writer (SQLite fast path, SQLite through Kysely, PostgreSQL), so the chain
 * the verifier recomputes is built the same way whichever store wrote it.
 */
import { chainBody, hashChainBody } from './audit-chain.ts';
import type { AuditEvent } from './audit-event.ts';
import type { PreparedEvent } from './audit-input.ts';

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export function chainBatch(head: ChainHead, batch: readonly PreparedEvent[]): AuditEvent[] {
  let seq = head.seq;
  let prevHash = head.hash;
  const events: AuditEvent[] = [];
  for (const event of batch) {
    seq += 1;
    const fields = { seq, ts: event.ts, code: event.code, outcome: event.outcome, actor: event.actor, resource: event.resource, subject: event.subject, summary: event.summary };
    const hash = hashChainBody(prevHash, chainBody(fields, event.dataJson));
    events.push({ ...fields, data: event.data, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

/** The head after a chained batch (the batch's last event, or the head itself when empty). */
export function headAfter(head: ChainHead, events: readonly AuditEvent[]): ChainHead {
  const last = events.at(-1);
  return last === undefined ? head : { seq: last.seq, hash: last.hash };
}
