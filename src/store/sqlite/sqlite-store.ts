import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../database-schema.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import type { Store } from '../store.ts';
import { registerSqliteHandle } from './sqlite-handle.ts';

export const SQLITE_FILE_NAME = 'stint.db';

/**
 * The embedded store: one SQLite file in the data directory.
 *
 * WAL keeps readers (search, verify) off the writer's back. `synchronous=NORMAL`
 * in WAL mode keeps every committed transaction across a process crash or
 * `kill -9` (the WAL is written before COMMIT returns; only the fsync waits for
 * the next checkpoint), and may lose the last commits on power loss or an OS
 * crash. FULL fsynced every commit, which cost ~45% of the gateway's CPU time
 * under load; see docs/adr/0008-audit-commit-without-fsync-per-statement.md for
 * the measurements and what narrows the power-loss window (signed checkpoints,
 * SIEM export).
 */
export async function openSqliteStore(dataDir: string, options: { readonly?: boolean } = {}): Promise<Store> {
  if (options.readonly !== true) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SQLITE_FILE_NAME);
  const sqlite = new SQLite(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  sqlite.pragma('busy_timeout = 5000');
  if (options.readonly !== true) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  registerSqliteHandle(db, sqlite);
  if (options.readonly !== true) await migrateToLatest(db as Kysely<unknown>, 'sqlite');
  return {
    engine: 'sqlite',
    db,
    location: file,
    close: () => db.destroy(),
  };
}
