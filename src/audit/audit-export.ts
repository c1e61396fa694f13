import { StintError } from '../errors/stint-error.ts';
import type { Store } from '../store/store.ts';
import { isoString } from '../time/instant.ts';
import type { AuditEvent } from './audit-event.ts';
import { eventRowsAscending } from './audit-pages.ts';
import { rowToEvent } from './audit-row.ts';

export interface AuditExportRange {
  /** ts >= since (ms). */
  readonly since?: number;
  /** ts < until (ms). */
  readonly until?: number;
  /** Only events with seq > afterSeq: resume an export from the last seq received. */
  readonly afterSeq?: number;
  readonly pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 1000;

/** Events oldest first, read in pages so an export of any size runs in bounded memory. */
export function exportAuditEvents(store: Store, range: AuditExportRange = {}): AsyncIterable<AuditEvent> {
  for (const name of ['since', 'until', 'afterSeq'] as const) {
    const value = range[name];
    if (value !== undefined && !Number.isSafeInteger(value)) throw new StintError('STINT_ERR_BAD_REQUEST', `${name} must be a whole number.`);
  }
  const pageSize = range.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new StintError('STINT_ERR_BAD_REQUEST', 'pageSize must be a positive whole number.');
  const filter = {
    ...(range.since === undefined ? {} : { since: range.since }),
    ...(range.until === undefined ? {} : { until: range.until }),
    ...(range.afterSeq === undefined ? {} : { afterSeq: range.afterSeq }),
  };
  return {
    async *[Symbol.asyncIterator]() {
      for await (const row of eventRowsAscending(store, filter, pageSize)) yield rowToEvent(row);
    },
  };
}

/**
 * One event as one line of JSON (no trailing newline), for SIEMs. Key names
 * and order are stable and documented in docs/audit.md; `time` is the ISO form
 * of `ts` so a SIEM can read it without a conversion rule.
 */
export function toJsonLine(event: AuditEvent): string {
  return JSON.stringify({
    seq: event.seq,
    time: isoString(event.ts),
    ts: event.ts,
    code: event.code,
    outcome: event.outcome,
    actor: event.actor,
    resource: event.resource,
    subject: event.subject,
    summary: event.summary,
    data: event.data,
    prev_hash: event.prevHash,
    hash: event.hash,
  });
}
