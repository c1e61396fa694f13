import { sql, type Transaction } from 'kysely';
import type { Database } from '../store/database-schema.ts';
import { chainBatch, headAfter } from './audit-chain-batch.ts';
import type { AuditEvent } from './audit-event.ts';
import type { PreparedEvent } from './audit-input.ts';

/**
 * Writes one audit batch on PostgreSQL inside the caller's transaction: the
 * chain head locked once (`FOR UPDATE`, so nodes sharing the store queue
 * behind each other), every row in ONE statement whatever the batch size
 * (twelve array parameters unnested server-side, instead of twelve bound
 * parameters per row and a statement per 500 rows), then the head moved.
 * Four round trips per batch, however many events it holds.
 */
export async function writePostgresBatch(trx: Transaction<Database>, batch: readonly PreparedEvent[]): Promise<AuditEvent[]> {
  const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate().executeTakeFirst();
  if (head === undefined) throw new Error('the audit_head row is missing');
  const events = chainBatch(head, batch);
  const columns = { seq: [] as number[], ts: [] as number[], code: [] as string[], outcome: [] as string[], actor: [] as string[], resource: [] as (string | null)[], subject: [] as (string | null)[], summary: [] as string[], data: [] as string[], prevHash: [] as string[], hash: [] as string[], body: [] as string[] };
  events.forEach((event, i) => {
    const prepared = batch[i]!;
    columns.seq.push(event.seq);
    columns.ts.push(event.ts);
    columns.code.push(event.code);
    columns.outcome.push(event.outcome);
    columns.actor.push(event.actor);
    columns.resource.push(event.resource);
    columns.subject.push(event.subject);
    columns.summary.push(event.summary);
    columns.data.push(prepared.dataJson);
    columns.prevHash.push(event.prevHash);
    columns.hash.push(event.hash);
    // The tsvector is built from the same normalised body SQLite's FTS gets, so both engines match alike.
    columns.body.push(prepared.searchBody);
  });
  const c = columns;
  await sql`
    INSERT INTO audit_events (seq, ts, code, outcome, actor, resource, subject, summary, data, prev_hash, hash, search)
    SELECT seq, ts, code, outcome, actor, resource, subject, summary, data, prev_hash, hash, to_tsvector('simple', body)
    FROM unnest(${c.seq}::bigint[], ${c.ts}::bigint[], ${c.code}::text[], ${c.outcome}::text[], ${c.actor}::text[], ${c.resource}::text[],
                ${c.subject}::text[], ${c.summary}::text[], ${c.data}::text[], ${c.prevHash}::text[], ${c.hash}::text[], ${c.body}::text[])
      AS t(seq, ts, code, outcome, actor, resource, subject, summary, data, prev_hash, hash, body)`.execute(trx);
  const { seq, hash } = headAfter(head, events);
  await trx.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
  return events;
}
