import type { AuditEventsTable } from '../store/database-schema.ts';
import type { AuditEvent } from './audit-event.ts';

/**
 * The stored columns of an event, named explicitly: PostgreSQL carries an
 * extra `search` column that must never be read back.
 */
export const AUDIT_EVENT_COLUMNS = ['seq', 'ts', 'code', 'outcome', 'actor', 'resource', 'subject', 'summary', 'data', 'prev_hash', 'hash'] as const;

export type AuditEventRow = Pick<AuditEventsTable, (typeof AUDIT_EVENT_COLUMNS)[number]>;

/**
 * Search tables the migration creates outside the shared row types: the FTS5
 * table on SQLite (rowid = seq), the tsvector column on PostgreSQL. Used with
 * Kysely's `withTables` where the audit code writes or queries them.
 */
export type AuditSearchTables = {
  audit_fts: { rowid: number; body: string };
  audit_events: { search: string };
};

export function rowToEvent(row: AuditEventRow): AuditEvent {
  return {
    seq: row.seq,
    ts: row.ts,
    code: row.code,
    outcome: row.outcome,
    actor: row.actor,
    resource: row.resource,
    subject: row.subject,
    summary: row.summary,
    data: parseData(row.data),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Stored data is canonical JSON of an object; anything else (a damaged row) reads back as a marker, never a crash. */
export function parseData(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through: reported below as unreadable
  }
  return { unreadable: text };
}

/** An event's data as an object, whether it arrives parsed or as JSON text; {} for anything else. */
export function dataRecord(data: unknown): Record<string, unknown> {
  if (typeof data === 'object' && data !== null) return data as Record<string, unknown>;
  if (typeof data !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
