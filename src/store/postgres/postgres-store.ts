import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../database-schema.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import type { Store } from '../store.ts';

const INT8_OID = 20;

/**
 * `pg` returns bigint (and count()) as strings; every instant and seq we store
 * fits in a double, so read them back as numbers and both engines agree.
 */
const textParser = pg.types.getTypeParser as (oid: number, format: 'text') => (value: string) => unknown;
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => (oid === INT8_OID ? (value: string) => Number(value) : textParser(oid, 'text'))) as pg.CustomTypesConfig['getTypeParser'],
};

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/** The server store: any number of gateway nodes share one PostgreSQL database. */
export async function openPostgresStore(url: string, options: { migrate?: boolean; max?: number } = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
  // An idle client losing its connection (a database restart, a terminated
  // backend) is an 'error' on the pool; unhandled, it would crash the process.
  // The pool has already dropped that client and the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (options.migrate !== false) await migrateToLatest(db as Kysely<unknown>, 'postgres');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    engine: 'postgres',
    db,
    location: redactUrl(url),
    close: () => db.destroy(),
  };
}
