import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { StoreEngine } from '../store.ts';
import * as initial from './migration-001-initial.ts';
import * as sessions from './migration-002-sessions.ts';
import * as requests from './migration-003-requests.ts';
import * as webhooks from './migration-004-webhooks.ts';
import * as writePath from './migration-005-write-path.ts';

/** Written out in order, not discovered from the file system, so bundling and review stay simple. */
function migrationsFor(engine: StoreEngine): Record<string, Migration> {
  return {
    '001-initial': { up: (db) => initial.up(db, engine) },
    '002-sessions': { up: (db) => sessions.up(db, engine) },
    '003-requests': { up: (db) => requests.up(db, engine) },
    '004-webhooks': { up: (db) => webhooks.up(db, engine) },
    '005-write-path': { up: (db) => writePath.up(db, engine) },
  };
}

export async function migrateToLatest(db: Kysely<unknown>, engine: StoreEngine): Promise<void> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrationsFor(engine)) };
  const migrator = new Migrator({ db, provider, migrationTableName: 'stint_migrations', migrationLockTableName: 'stint_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed`, { cause: error });
  }
}
