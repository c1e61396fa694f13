import { sql, type Kysely } from 'kysely';
import type { StoreEngine } from '../store.ts';

/** The tables the access index is built from: any change to them may change a decision. */
const ACCESS_TABLES = ['contractors', 'grants', 'policy_versions'] as const;

/**
 * Two changes for the hot write paths.
 *
 * 1. `meta.audit_fts_seq`: on SQLite the audit writer writes full-text rows
 *    in batches of their own after the events, and this marks how far they
 *    go (every event so far), so a writer starting after a crash indexes the
 *    rest. The audit indexes stay as they are: dropping the actor, resource
 *    and code indexes made raw inserts 2–4× faster in a synthetic probe but
 *    moved no measurable AuditLog ingest figure, and would have cost the
 *    lookups the offboarding report, session detail and search make.
 *
 * 2. `access_changes`: one row whose counter is bumped by triggers on every
 *    write to a table the access index is built from, so a node's periodic
 *    refresh can tell in one read that nothing changed and skip the rebuild.
 *    Triggers rather than calls in each writer, so no writer (today's or a
 *    future one) can forget. On PostgreSQL the bump is a deferred constraint
 *    trigger: it runs at COMMIT, after the transaction's other row locks are
 *    taken, so locking the counter row last can never deadlock two writers,
 *    and a reader sees the new count only together with the committed rows.
 */
export async function up(db: Kysely<unknown>, engine: StoreEngine): Promise<void> {
  if (engine === 'sqlite') {
    // Every event so far has its full-text row: the audit writer's mark starts at the head.
    await sql`INSERT INTO meta (key, value) SELECT 'audit_fts_seq', CAST(seq AS TEXT) FROM audit_head WHERE id = 1`.execute(db);
  }
  await db.schema
    .createTable('access_changes')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('n', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO access_changes (id, n) VALUES (1, 0)`.execute(db);

  if (engine === 'postgres') {
    await sql`
      CREATE FUNCTION stint_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE access_changes SET n = n + 1 WHERE id = 1;
        RETURN NULL;
      END
      $$`.execute(db);
    for (const table of ACCESS_TABLES) {
      await sql`
        CREATE CONSTRAINT TRIGGER ${sql.raw(`${table}_access_changed`)}
        AFTER INSERT OR UPDATE OR DELETE ON ${sql.table(table)}
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION stint_access_changed()`.execute(db);
    }
    return;
  }
  for (const table of ACCESS_TABLES) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      await sql`
        CREATE TRIGGER ${sql.raw(`${table}_access_changed_${op.toLowerCase()}`)}
        AFTER ${sql.raw(op)} ON ${sql.table(table)}
        BEGIN UPDATE access_changes SET n = n + 1 WHERE id = 1; END`.execute(db);
    }
  }
}
