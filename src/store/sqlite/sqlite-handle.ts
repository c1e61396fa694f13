import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../database-schema.ts';

/**
 * The better-sqlite3 handle behind a SQLite store's Kysely instance, for the
 * one writer that must not pay Kysely's per-query compile and prepare: the
 * audit log, which writes a few rows per proxied statement. Kept in a
 * WeakMap keyed by the Kysely instance rather than on the Store, so every
 * wrapper that passes `store.db` along (test stores, read-only opens) finds
 * it without knowing it exists.
 */
const handles = new WeakMap<Kysely<Database>, SQLite.Database>();

export function registerSqliteHandle(db: Kysely<Database>, handle: SQLite.Database): void {
  handles.set(db, handle);
}

/** The raw handle of a SQLite store's Kysely instance; undefined for PostgreSQL (or an unknown instance). */
export function sqliteHandleOf(db: Kysely<Database>): SQLite.Database | undefined {
  return handles.get(db);
}
