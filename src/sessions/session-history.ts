import { sql, type SqlBool } from 'kysely';
import { searchAuditEvents } from '../audit/audit-search.ts';
import { StintError } from '../errors/stint-error.ts';
import type { Store } from '../store/store.ts';
import { sessionRowToView } from './session-row.ts';
import type { SessionEndReason, SessionView } from './session-types.ts';
import { dataRecord } from '../audit/audit-row.ts';

/**
 * Session history for the console: filtered, keyset-paged lists and one
 * session with its statements, read back from the audit log (the record of
 * what ran), so the console shows exactly what an auditor would find.
 */

export type SessionState = 'live' | 'ended' | 'all';

export interface SessionHistoryQuery {
  readonly state: SessionState;
  readonly email?: string;
  readonly resource?: string;
  /** Matches a session id, contractor or resource, or the text of a statement run in the session. */
  readonly q?: string;
  readonly cursor?: string;
  readonly limit: number;
}

/** A session as the console shows it: ISO times and whether it is still open. */
export interface SessionItem {
  readonly id: string;
  readonly node: string;
  readonly protocol: string;
  /** The contractor's email. */
  readonly contractor: string;
  readonly resource: string;
  readonly clientAddress: string;
  readonly tls: boolean;
  readonly live: boolean;
  readonly startedAt: string;
  readonly expiresAt: string | null;
  readonly endedAt: string | null;
  readonly endReason: SessionEndReason | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly statements: number;
}

export interface StatementRecord {
  readonly at: string;
  readonly text: string;
  readonly decision: 'allowed' | 'denied';
  /** The decision's reason code (ALLOW_ROLE, DENY_GUARDRAIL_DDL, ...). */
  readonly reason?: string;
  /** The refusal or the database error, as the client was told. */
  readonly message?: string;
  readonly rows?: number;
  readonly durationMs?: number;
  /** Set when the database reported an error for an allowed statement. */
  readonly failed?: boolean;
}

/** One session with what ran in it; `statementCount` is the session's counter, `statements` the audited log. */
export interface SessionDetail extends Omit<SessionItem, 'statements'> {
  readonly statementCount: number;
  readonly statements: readonly StatementRecord[];
  /** True when the log holds more than the first STATEMENT_LIMIT statements; the audit search has them all. */
  readonly statementsTruncated: boolean;
}

export const STATEMENT_LIMIT = 1000;
const TEXT_MATCH_LIMIT = 500;

function iso(ms: number): string;
function iso(ms: number | null): string | null;
function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function sessionItem(view: SessionView): SessionItem {
  return {
    id: view.id,
    node: view.node,
    protocol: view.protocol,
    contractor: view.contractor,
    resource: view.resource,
    clientAddress: view.clientAddress,
    tls: view.tls,
    live: view.endedAt === null,
    startedAt: iso(view.startedAt),
    expiresAt: iso(view.expiresAt),
    endedAt: iso(view.endedAt),
    endReason: view.endReason,
    bytesIn: view.bytesIn,
    bytesOut: view.bytesOut,
    statements: view.statements,
  };
}


interface Cursor {
  readonly startedAt: number;
  readonly id: string;
}

export function encodeSessionCursor(cursor: Cursor): string {
  return Buffer.from(`s1:${cursor.startedAt}:${cursor.id}`).toString('base64url');
}

export function decodeSessionCursor(text: string): Cursor {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : '';
  const match = /^s1:(\d{1,16}):(ses_[0-9a-f]{1,64})$/.exec(decoded);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new StintError('STINT_ERR_BAD_REQUEST', 'cursor is not valid; pass the nextCursor of a previous page unchanged, or leave it out to start from the newest session.');
  }
  return { startedAt: Number(match[1]), id: match[2] };
}

/**
 * Sessions newest first. `fresh` gives the in-memory view of a session live on
 * this node, whose counters are ahead of its row.
 */
export async function listSessionHistory(
  store: Store,
  query: SessionHistoryQuery,
  fresh: (id: string) => SessionView | undefined = () => undefined,
): Promise<{ items: SessionItem[]; nextCursor?: string }> {
  let select = store.db.selectFrom('sessions').selectAll();
  if (query.state === 'live') select = select.where('ended_at', 'is', null);
  if (query.state === 'ended') select = select.where('ended_at', 'is not', null);
  if (query.email !== undefined) select = select.where('contractor', '=', query.email.toLowerCase());
  if (query.resource !== undefined) select = select.where('resource', '=', query.resource);
  if (query.q !== undefined && query.q.trim() !== '') {
    const q = query.q.trim();
    const viaStatements = await sessionsWithStatementText(store, q, query.email);
    const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    select = select.where((eb) =>
      eb.or([
        eb(sql<string>`lower(id)`, 'like', sql<string>`${like} escape '\\'`),
        eb(sql<string>`lower(contractor)`, 'like', sql<string>`${like} escape '\\'`),
        eb(sql<string>`lower(resource)`, 'like', sql<string>`${like} escape '\\'`),
        ...(viaStatements.length === 0 ? [] : [eb('id', 'in', viaStatements)]),
      ]),
    );
  }
  if (query.cursor !== undefined) {
    const cursor = decodeSessionCursor(query.cursor);
    select = select.where(sql<SqlBool>`(started_at < ${cursor.startedAt} or (started_at = ${cursor.startedAt} and id < ${cursor.id}))`);
  }
  const rows = await select
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const items = page.map((row) => sessionItem(fresh(row.id) ?? sessionRowToView(row)));
  return rows.length > query.limit && last !== undefined ? { items, nextCursor: encodeSessionCursor({ startedAt: last.started_at, id: last.id }) } : { items };
}

/** Ids of sessions that ran a statement containing the words of `text` (full-text search of the audit log). */
async function sessionsWithStatementText(store: Store, text: string, email: string | undefined): Promise<string[]> {
  let result;
  try {
    result = await searchAuditEvents(store, { text, code: 'STATEMENT_*', limit: TEXT_MATCH_LIMIT, ...(email === undefined ? {} : { actor: email.toLowerCase() }) });
  } catch (error) {
    // Text without searchable words (only punctuation) still matches ids and names above.
    if (error instanceof StintError && error.code === 'STINT_ERR_BAD_REQUEST') return [];
    throw error;
  }
  const ids = new Set<string>();
  for (const event of result.events) {
    const session = event.data.session;
    if (typeof session === 'string') ids.add(session);
  }
  return [...ids];
}

/** One session with its statements in order, or null when there is no such session. */
export async function sessionWithStatements(
  store: Store,
  id: string,
  fresh: (id: string) => SessionView | undefined = () => undefined,
): Promise<SessionDetail | null> {
  const row = await store.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return null;
  // The actor and resource indexes narrow the scan; the subject names the session.
  const events = await store.db
    .selectFrom('audit_events')
    .select(['seq', 'ts', 'code', 'data'])
    .where('actor', '=', row.contractor)
    .where('resource', '=', row.resource)
    .where('subject', '=', id)
    .where('code', 'in', ['STATEMENT_ALLOWED', 'STATEMENT_DENIED', 'STATEMENT_COMPLETED', 'STATEMENT_FAILED'])
    .where('ts', '>=', row.started_at)
    .orderBy('seq', 'asc')
    .limit(STATEMENT_LIMIT * 2 + 1)
    .execute();
  const statements: StatementRecord[] = [];
  const bySeq = new Map<number, number>();
  for (const event of events) {
    const data = dataRecord(event.data);
    switch (event.code) {
      case 'STATEMENT_ALLOWED':
        bySeq.set(Number(event.seq), statements.length);
        statements.push({ at: iso(Number(event.ts)), text: stringField(data, 'text'), decision: 'allowed', ...optionalString(data, 'reason') });
        break;
      case 'STATEMENT_DENIED':
        statements.push({ at: iso(Number(event.ts)), text: stringField(data, 'text'), decision: 'denied', ...optionalString(data, 'reason'), ...optionalString(data, 'message') });
        break;
      case 'STATEMENT_COMPLETED':
      case 'STATEMENT_FAILED': {
        const index = bySeq.get(Number(data.allowedSeq));
        const allowed = index === undefined ? undefined : statements[index];
        if (index === undefined || allowed === undefined) break;
        const rows = typeof data.rows === 'number' ? { rows: data.rows } : {};
        const duration = typeof data.durationMs === 'number' ? { durationMs: data.durationMs } : {};
        const failure = event.code === 'STATEMENT_FAILED' ? { failed: true, ...optionalString(data, 'message') } : {};
        statements[index] = { ...allowed, ...rows, ...duration, ...failure };
        break;
      }
      default:
        break;
    }
  }
  const { statements: statementCount, ...item } = sessionItem(fresh(id) ?? sessionRowToView(row));
  return {
    ...item,
    statementCount,
    statements: statements.slice(0, STATEMENT_LIMIT),
    statementsTruncated: statements.length > STATEMENT_LIMIT || events.length > STATEMENT_LIMIT * 2,
  };
}


function stringField(data: Record<string, unknown>, key: string): string {
  const value = data[key];
  return typeof value === 'string' ? value : '';
}

function optionalString(data: Record<string, unknown>, key: 'reason' | 'message'): { reason?: string; message?: string } {
  const value = data[key];
  return typeof value === 'string' ? { [key]: value } : {};
}
