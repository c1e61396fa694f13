import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../database-schema.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import type { Store } from '../store.ts';

export const SQLITE_FILE_NAME = 'stint.db';

/**
 * The embedded store: one SQLite file in the data directory.
 *
 * WAL keeps readers (search, verify) off the writer's back. `synchronous=FULL`
 * makes every commit survive power loss, not only a process kill: the audit
 * log is the product's promise, and group commit amortises the extra fsync.
 */
export async function openSqliteStore(dataDir: string, options: { readonly?: boolean } = {}): Promise<Store> {
  if (options.readonly !== true) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SQLITE_FILE_NAME);
  const sqlite = new SQLite(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  sqlite.pragma('busy_timeout = 5000');
  if (options.readonly !== true) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  if (options.readonly !== true) await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  return {
    engine: 'sqlite',
    db,
    location: file,
    close: () => db.destroy(),
  };
}
