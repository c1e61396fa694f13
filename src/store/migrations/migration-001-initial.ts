import { sql, type Kysely } from 'kysely';
import type { StoreEngine } from '../store.ts';

/**
 * The initial schema. One migration serves both engines; only full-text search
 * differs (FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL).
 */
export async function up(db: Kysely<unknown>, engine: StoreEngine): Promise<void> {
  const bigint = engine === 'postgres' ? 'bigint' : 'integer';

  await db.schema.createTable('meta').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();

  await db.schema
    .createTable('policy_versions')
    .addColumn('id', engine === 'postgres' ? 'serial' : 'integer', (c) => (engine === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('applied_at', bigint, (c) => c.notNull())
    .addColumn('applied_by', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('files', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('contractors')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('company', 'text', (c) => c.notNull())
    .addColumn('sponsor', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('until_at', bigint, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('updated_at', bigint, (c) => c.notNull())
    .addColumn('offboarded_at', bigint)
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', bigint)
    .addColumn('revoked_at', bigint)
    .addColumn('revoked_by', 'text')
    .addColumn('revoked_reason', 'text')
    .addColumn('last_used_at', bigint)
    .addColumn('label', 'text')
    .execute();
  await db.schema.createIndex('tokens_subject').on('tokens').column('subject').execute();

  await db.schema
    .createTable('invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('until_at', bigint, (c) => c.notNull())
    .addColumn('expires_at', bigint, (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('accepted_at', bigint)
    .addColumn('revoked_at', bigint)
    .execute();
  await db.schema.createIndex('invites_email').on('invites').column('email').execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('seq', bigint, (c) => c.primaryKey())
    .addColumn('ts', bigint, (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('resource', 'text')
    .addColumn('subject', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_ts').on('audit_events').column('ts').execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor', 'seq']).execute();
  await db.schema.createIndex('audit_events_resource').on('audit_events').columns(['resource', 'seq']).execute();
  await db.schema.createIndex('audit_events_code').on('audit_events').columns(['code', 'seq']).execute();

  if (engine === 'postgres') {
    // Written by the audit log from the same normalised body SQLite's FTS gets
    // (src/audit/audit-text.ts), not generated from the raw columns: PostgreSQL's
    // parser keeps `alice@vendor.example` as one token where FTS5 sees three
    // words, and both engines must match the same events.
    await sql`ALTER TABLE audit_events ADD COLUMN search tsvector`.execute(db);
    await sql`CREATE INDEX audit_events_search ON audit_events USING GIN (search)`.execute(db);
  } else {
    // Contentless: the text lives in audit_events; FTS only maps words to seq (its rowid).
    await sql`CREATE VIRTUAL TABLE audit_fts USING fts5(body, content='', tokenize='unicode61')`.execute(db);
  }

  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', bigint, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ${'0'.repeat(64)})`.execute(db);

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('seq', bigint, (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('ts', bigint, (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
}
