import type { Kysely } from 'kysely';
import type { StoreEngine } from '../store.ts';

/**
 * Live and past sessions through the gateway. A row is written when a session
 * starts and completed when it ends; `kill_requested_at` lets any node ask the
 * node holding a session to end it (the holder polls for requests).
 */
export async function up(db: Kysely<unknown>, engine: StoreEngine): Promise<void> {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('contractor', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text', (c) => c.notNull())
    .addColumn('tls', 'integer', (c) => c.notNull())
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('started_at', bigint, (c) => c.notNull())
    .addColumn('expires_at', bigint)
    .addColumn('ended_at', bigint)
    .addColumn('end_reason', 'text')
    .addColumn('bytes_in', bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_out', bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('statements', bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('kill_requested_at', bigint)
    .addColumn('kill_requested_by', 'text')
    .addColumn('kill_reason', 'text')
    .execute();
  await db.schema.createIndex('sessions_live').on('sessions').columns(['ended_at', 'node']).execute();
  await db.schema.createIndex('sessions_contractor').on('sessions').columns(['contractor', 'started_at']).execute();
}
