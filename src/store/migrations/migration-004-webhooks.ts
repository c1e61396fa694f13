import type { Kysely } from 'kysely';
import type { StoreEngine } from '../store.ts';

/**
 * The durable queue of outgoing webhook deliveries. A row is written when an
 * event is announced (never an HTTP call on the request path) and completed
 * by whichever node's delivery worker claims it: `next_attempt_at` doubles as
 * the claim, moved forward by a conditional update so two nodes never send
 * the same delivery at once. Rows survive restarts; pending ones are picked
 * up when a worker starts.
 */
export async function up(db: Kysely<unknown>, engine: StoreEngine): Promise<void> {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', bigint)
    .addColumn('delivered_at', bigint)
    .addColumn('failed_at', bigint)
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_created').on('webhook_deliveries').columns(['created_at']).execute();
}
