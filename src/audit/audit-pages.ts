import type { AuditCheckpointsTable } from '../store/database-schema.ts';
import type { Store } from '../store/store.ts';
import { AUDIT_EVENT_COLUMNS, type AuditEventRow } from './audit-row.ts';

export interface EventPageFilter {
  readonly afterSeq?: number;
  /** Inclusive upper bound on seq. */
  readonly maxSeq?: number;
  /** ts >= since. */
  readonly since?: number;
  /** ts < until. */
  readonly until?: number;
}

/**
 * Events in ascending seq, one page at a time (keyset pagination on the
 * primary key), so memory stays bounded however long the log is.
 */
export async function* eventRowsAscending(store: Store, filter: EventPageFilter, pageSize: number): AsyncGenerator<AuditEventRow> {
  let after = filter.afterSeq ?? 0;
  for (;;) {
    let query = store.db.selectFrom('audit_events').select(AUDIT_EVENT_COLUMNS).where('seq', '>', after);
    if (filter.maxSeq !== undefined) query = query.where('seq', '<=', filter.maxSeq);
    if (filter.since !== undefined) query = query.where('ts', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('ts', '<', filter.until);
    const rows = await query.orderBy('seq', 'asc').limit(pageSize).execute();
    for (const row of rows) yield row;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) return;
    after = last.seq;
  }
}

export async function* checkpointRowsAscending(store: Store, pageSize: number): AsyncGenerator<AuditCheckpointsTable> {
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await store.db.selectFrom('audit_checkpoints').selectAll().where('seq', '>', after).orderBy('seq', 'asc').limit(pageSize).execute();
    for (const row of rows) yield row;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) return;
    after = last.seq;
  }
}
