import type { Kysely } from 'kysely';
import type { StoreEngine } from '../store.ts';

/**
 * Just-in-time access: requests, the approvals they collect, and the
 * time-bound grants approved requests become.
 */
export async function up(db: Kysely<unknown>, engine: StoreEngine): Promise<void> {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('access_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('requester', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('tables', 'text', (c) => c.notNull())
    .addColumn('duration_ms', bigint, (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('expires_at', bigint, (c) => c.notNull())
    .addColumn('decided_at', bigint)
    .addColumn('decided_by', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('grant_id', 'text')
    .execute();
  await db.schema.createIndex('access_requests_status').on('access_requests').columns(['status', 'expires_at']).execute();
  await db.schema.createIndex('access_requests_requester').on('access_requests').columns(['requester', 'created_at']).execute();

  await db.schema
    .createTable('request_approvals')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('approver', 'text', (c) => c.notNull())
    .addColumn('at', bigint, (c) => c.notNull())
    .addColumn('duration_ms', bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('request_approvals_pk', ['request_id', 'approver'])
    .execute();

  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('tables', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('starts_at', bigint, (c) => c.notNull())
    .addColumn('expires_at', bigint, (c) => c.notNull())
    .addColumn('revoked_at', bigint)
    .addColumn('revoked_by', 'text')
    .addColumn('revoked_reason', 'text')
    .addColumn('expiry_recorded_at', bigint)
    .execute();
  await db.schema.createIndex('grants_active').on('grants').columns(['revoked_at', 'expires_at']).execute();
  await db.schema.createIndex('grants_email').on('grants').columns(['email', 'starts_at']).execute();
}
