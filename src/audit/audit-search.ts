import { sql, type SqlBool } from 'kysely';
import { StintError } from '../errors/stint-error.ts';
import type { Store } from '../store/store.ts';
import type { AuditEvent } from './audit-event.ts';
import { flushAuditSearch } from './audit-sqlite-path.ts';
import { AUDIT_EVENT_COLUMNS, rowToEvent, type AuditSearchTables } from './audit-row.ts';
import { searchPhrases } from './audit-text.ts';

export interface AuditSearchQuery {
  /** Words that must all appear (each word matched as a phrase of its parts: an email, a host name). */
  readonly text?: string;
  readonly actor?: string;
  readonly resource?: string;
  /** An exact code, or a prefix ending in `*` (e.g. `AUTH_*`). */
  readonly code?: string;
  /** ts >= since (ms). */
  readonly since?: number;
  /** ts < until (ms). */
  readonly until?: number;
  /** From a previous page's nextCursor. */
  readonly cursor?: string;
  /** 1–500, default 50. */
  readonly limit?: number;
}

export interface AuditSearchResult {
  events: AuditEvent[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const SEARCH_DEFAULT_LIMIT = 50;
export const SEARCH_MAX_LIMIT = 500;
const MAX_TEXT_LENGTH = 1000;
const MAX_PHRASES = 32;
const CURSOR_PREFIX = 'v1:';

function badRequest(message: string): StintError {
  return new StintError('STINT_ERR_BAD_REQUEST', message);
}

/**
 * Audit events newest first, with full-text and exact filters. The cursor
 * holds the last seq returned, so paging stays stable while new events
 * arrive: they all have higher seqs and land before the first page.
 */
export async function searchAuditEvents(store: Store, q: AuditSearchQuery): Promise<AuditSearchResult> {
  const limit = q.limit ?? SEARCH_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > SEARCH_MAX_LIMIT) {
    throw badRequest(`limit must be a whole number from 1 to ${SEARCH_MAX_LIMIT}, not ${String(limit)}.`);
  }
  checkInstant(q.since, 'since');
  checkInstant(q.until, 'until');
  const beforeSeq = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const phrases = q.text === undefined ? [] : textPhrases(q.text);
  const code = q.code === undefined ? undefined : codeFilter(q.code);

  let query = store.db.selectFrom('audit_events as e').select(AUDIT_EVENT_COLUMNS.map((c) => `e.${c}` as const));
  if (phrases.length > 0) {
    if (store.engine === 'sqlite') {
      // Full-text rows of the last few milliseconds' events may still be held back by this process's writer.
      await flushAuditSearch(store.db);
      // The FTS query carries only words (and the cursor's rowid bound, which
      // FTS5 applies cheaply); the time range and filters stay outside MATCH.
      const match = phrases.map((p) => `"${p.replaceAll('"', '""')}"`).join(' AND ');
      let hits = store.db.withTables<AuditSearchTables>().selectFrom('audit_fts').select('rowid').where(sql<SqlBool>`audit_fts MATCH ${match}`);
      if (beforeSeq !== undefined) hits = hits.where('rowid', '<', beforeSeq);
      query = query.where('e.seq', 'in', hits);
    } else {
      const tsquery = phrases.map((p) => sql`phraseto_tsquery('simple', ${p})`);
      query = query.where(sql<SqlBool>`e.search @@ (${sql.join(tsquery, sql` && `)})`);
    }
  }
  if (beforeSeq !== undefined) query = query.where('e.seq', '<', beforeSeq);
  if (q.actor !== undefined) query = query.where('e.actor', '=', q.actor);
  if (q.resource !== undefined) query = query.where('e.resource', '=', q.resource);
  if (code !== undefined) {
    query = code.prefix
      ? query.where(sql<SqlBool>`substr(e.code, 1, ${code.value.length}) = ${code.value}`)
      : query.where('e.code', '=', code.value);
  }
  if (q.since !== undefined) query = query.where('e.ts', '>=', q.since);
  if (q.until !== undefined) query = query.where('e.ts', '<', q.until);

  // One extra row tells whether another page exists without a count query.
  const rows = await query.orderBy('e.seq', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map(rowToEvent),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
  };
}

export function encodeCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const seq = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!/^\d+$/.test(text.slice(CURSOR_PREFIX.length)) || !Number.isSafeInteger(seq) || seq < 1) {
    throw badRequest('cursor is not valid; pass the nextCursor of a previous page unchanged, or leave it out to start from the newest event.');
  }
  return seq;
}

function textPhrases(text: string): string[] {
  if (text.length > MAX_TEXT_LENGTH) throw badRequest(`The search text is longer than ${MAX_TEXT_LENGTH} characters.`);
  if (text.trim() === '') return [];
  const phrases = searchPhrases(text);
  if (phrases.length === 0) throw badRequest(`The search text "${text}" has no letters or digits to search for.`);
  if (phrases.length > MAX_PHRASES) throw badRequest(`The search text has more than ${MAX_PHRASES} words.`);
  return phrases;
}

function codeFilter(code: string): { value: string; prefix: boolean } {
  const star = code.indexOf('*');
  if (star === -1) return { value: code, prefix: false };
  if (star !== code.length - 1 || star === 0) {
    throw badRequest(`code "${code}" is not valid: give an exact code, or a prefix ending in a single * (e.g. AUTH_*).`);
  }
  return { value: code.slice(0, -1), prefix: true };
}

function checkInstant(value: number | undefined, name: string): void {
  if (value !== undefined && !Number.isSafeInteger(value)) throw badRequest(`${name} must be an instant in whole milliseconds since the epoch.`);
}
