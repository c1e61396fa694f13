import pg from 'pg';
import type { AccessModel } from '../../src/access/access-model.ts';
import type { AuditEvent } from '../../src/audit/audit-event.ts';
import { corpusModel, type CorpusSubject } from '../../src/sql/corpus/corpus-judge.ts';
import { CORPUS_MASKS } from '../../src/sql/corpus/masking-leak-corpus.ts';
import { STAFF_EMAIL, type GatewayHarness } from './gateway-harness.ts';

/**
 * The SQL corpora (src/sql/corpus) through a real gateway: the corpus's own
 * contractors, roles and guardrail written out as a policy, a database whose
 * schema the corpora's statements name, a fingerprint of everything a refused
 * statement could have changed, and one reused connection per contractor.
 */

/** The contractor of the masking leak corpus, and the resource that carries its masks. */
export const MASKED_LOGIN = { email: 'masked@vendor.example', resource: 'masked' } as const;

/** Everything but the masks is granted, so a refusal can come from the masking criterion alone. */
const MASKED_ACTIONS = ['read', 'write', 'ddl', 'admin', 'unsafe'] as const;

// The corpus's contractors end a day after its fixed judging instant, long past on a real clock.
const UNTIL = '2099-01-01';

export interface CorpusLogin {
  readonly email: string;
  readonly resource: string;
}

/** The email and resource a corpus subject signs in with, read from the corpus model. */
export function corpusLogin(subject: CorpusSubject, model: AccessModel = corpusModel()): CorpusLogin {
  const contractor = model.contractors.find((c) => c.roles.includes(subject));
  const role = model.roles.find((r) => r.name === subject);
  const resource = role?.grants[0]?.resources.names?.[0];
  if (contractor === undefined || resource === undefined) throw new Error(`the corpus model has no contractor or resource for ${subject}`);
  return { email: contractor.email, resource };
}

/** The corpus model as policy YAML (JSON values are YAML), every resource on `database`, plus the masked resource. */
export function corpusPolicyYaml(database: string): string {
  const model = corpusModel();
  const json = JSON.stringify;
  const target = `{ kind: postgres, address: 127.0.0.1:5432, database: ${database}, credentials: { user: postgres } }`;
  const lines = ['version: 1', 'settings:', '  contractors: files', 'resources:'];
  for (const resource of [...model.resources.map((r) => r.name), MASKED_LOGIN.resource]) lines.push(`  ${resource}: ${target}`);
  lines.push('roles:');
  for (const role of model.roles) {
    if (role.denies.length > 0) throw new Error(`corpus role ${role.name} has deny rules, which this policy writer does not carry`);
    lines.push(`  ${role.name}:`, '    grants:');
    for (const grant of role.grants) lines.push(`      - { resources: ${json(grant.resources)}, actions: ${json(grant.actions)} }`);
  }
  lines.push(
    '  masked:',
    '    grants:',
    `      - { resources: { names: [${MASKED_LOGIN.resource}] }, actions: ${json(MASKED_ACTIONS)}, mask: ${json(CORPUS_MASKS)} }`,
  );
  lines.push('guardrails:');
  for (const guardrail of model.guardrails ?? []) {
    if (guardrail.statementTimeoutMs !== undefined || guardrail.maxRows !== undefined) throw new Error('the corpus guardrail gained a limit this policy writer does not carry');
    lines.push(
      `  - resources: ${json(guardrail.resources)}`,
      `    deny: ${json(guardrail.deny)}`,
      `    block: ${json(guardrail.block)}`,
    );
    // The schema wants a non-empty list, so an empty one is left out.
    if (guardrail.requireApproval.length > 0) lines.push(`    require_approval: ${json(guardrail.requireApproval)}`);
  }
  lines.push('contractors:');
  const contractor = (email: string, roles: readonly string[]): void => {
    lines.push(`  ${email}: { name: ${email.split('@')[0]}, company: Vendor, sponsor: ${STAFF_EMAIL}, roles: ${json(roles)}, until: ${UNTIL} }`);
  };
  for (const c of model.contractors) contractor(c.email, c.roles);
  contractor(MASKED_LOGIN.email, ['masked']);
  lines.push('staff:', `  ${STAFF_EMAIL}: { name: Staff, roles: [admin] }`, '');
  return lines.join('\n');
}

/**
 * The tables, views, sequences and routines the benign corpus uses (so its
 * statements really run), the sentinel tables the evasion corpus aims at, and
 * the masking corpus's customers/orders/crm.leads (columns merged).
 */
export const CORPUS_SCHEMA = `
CREATE SCHEMA sales; CREATE SCHEMA crm; CREATE SCHEMA "Mixed";
CREATE TABLE customers (id int PRIMARY KEY, customer_id int, name text, email text, phone text, ssn text, vip boolean NOT NULL DEFAULT false, country text);
INSERT INTO customers VALUES (1, 1, 'Ann', 'ann@example.com', '+1 555 0101', '123-45-6789', true, 'FR'), (2, 2, 'Bob', 'bob@example.com', NULL, NULL, false, 'DE');
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int, total numeric NOT NULL DEFAULT 0, status text, note text, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO orders (customer_id, total, note) VALUES (1, 120, 'x'), (2, 5, 'y');
CREATE TABLE crm.leads (id int PRIMARY KEY, email text, ssn text);
CREATE TABLE sales.orders (id int, customer_id int, total numeric);
CREATE TABLE sales.customers (id int);
CREATE TABLE sales (region text, product text, amount numeric);
CREATE TABLE daily_sales (day date PRIMARY KEY, total numeric);
INSERT INTO daily_sales VALUES ('2026-01-01', 10), ('2026-01-02', 20);
CREATE MATERIALIZED VIEW daily_totals AS SELECT day, sum(total) AS total FROM daily_sales GROUP BY day;
CREATE UNIQUE INDEX daily_totals_day ON daily_totals (day);
CREATE TABLE categories (id int PRIMARY KEY, parent_id int);
CREATE TABLE events (payload jsonb);
CREATE TABLE docs (doc jsonb, body text);
CREATE TABLE products (name text, description text);
CREATE TABLE refunds (order_id int);
CREATE TABLE t1 (a int); CREATE TABLE t2 (a int); CREATE TABLE t3 (a int); CREATE TABLE t4 (a int);
CREATE TABLE "Mixed"."Case Table" ("Weird Column" int);
CREATE TABLE counters (key text PRIMARY KEY, n int);
CREATE TABLE tags (name text UNIQUE);
CREATE TABLE sessions (id int, expires_at timestamptz);
CREATE TABLE carts (id int, abandoned boolean);
CREATE TABLE cart_items (cart_id int);
CREATE TABLE stock (sku text, qty int);
CREATE TABLE deliveries (sku text, qty int);
CREATE TABLE inbox (id int, processed boolean);
CREATE TABLE archive (id int, processed boolean);
CREATE TABLE jobs (id int, state text);
CREATE TABLE staging_orders (id int, total numeric);
CREATE TABLE scratch (n int);
CREATE TABLE audit_note (note text);
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric);
INSERT INTO accounts VALUES (1, 100), (2, 100);
CREATE TABLE notes (body text);
CREATE PROCEDURE process_batch(n int) LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
-- Sentinels of the evasion corpus: what its statements would read, change or drop.
CREATE TABLE t (id int, a text, b text, x int, y int);
INSERT INTO t (id, a) VALUES (1, 'one'), (2, 'two');
CREATE TABLE secrets (id int, v text);
INSERT INTO secrets VALUES (1, 'hunter2');
CREATE TABLE s (id int); CREATE TABLE u (a text);
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS n;
`;

/** Objects the developer's benign statements create, dropped before each pass so each pass runs them afresh. */
export const DEVELOPER_OBJECTS_RESET = 'DROP VIEW IF EXISTS unpaid; DROP TABLE IF EXISTS invoices CASCADE; DROP FUNCTION IF EXISTS add(int, int); DROP FUNCTION IF EXISTS touch()';

/**
 * One row describing everything a refused statement might have changed:
 * sentinel rows and sequence, every relation (temporary ones of any session
 * included), columns, routines, triggers, rules, comments, privileges, large
 * objects, extensions, foreign data, roles, subscriptions, prepared
 * transactions and ALTER SYSTEM settings.
 */
const FINGERPRINT_SQL = `SELECT json_build_object(
  't', (SELECT json_agg(t ORDER BY id) FROM t),
  'secrets', (SELECT count(*) FROM secrets),
  'customers', (SELECT json_agg(c ORDER BY id) FROM customers c),
  'orders', (SELECT count(*) FROM orders),
  'orders_seq', (SELECT last_value FROM orders_id_seq),
  'relations', (SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text || ':' || c.relnatts || ':' || coalesce(c.relacl::text, '') AS x
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) q),
  'routines', (SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT p.oid::regprocedure::text || ':' || p.prosecdef AS x FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) q),
  'triggers', (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal),
  'rules', (SELECT count(*) FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND r.rulename <> '_RETURN'),
  'comments', (SELECT count(*) FROM pg_description),
  'large_objects', (SELECT count(*) FROM pg_largeobject_metadata),
  'extensions', (SELECT string_agg(extname || ':' || extversion, ',' ORDER BY extname) FROM pg_extension),
  'languages', (SELECT string_agg(lanname::text, ',' ORDER BY lanname) FROM pg_language),
  'foreign', (SELECT (SELECT count(*) FROM pg_foreign_data_wrapper) || '/' || (SELECT count(*) FROM pg_foreign_server) || '/' || (SELECT count(*) FROM pg_user_mapping)),
  'roles', (SELECT string_agg(rolname || ':' || rolsuper, ',' ORDER BY rolname) FROM pg_roles),
  'memberships', (SELECT count(*) FROM pg_auth_members),
  'subscriptions', (SELECT count(*) FROM pg_subscription),
  'prepared_xacts', (SELECT count(*) FROM pg_prepared_xacts),
  'auto_conf', (SELECT count(*) FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf')
) AS fingerprint`;

export async function fingerprint(harness: GatewayHarness): Promise<string> {
  return JSON.stringify(await harness.scalar(FINGERPRINT_SQL));
}

/** How a statement is sent: a simple Query, or Parse/Bind/Execute as the unnamed or a named statement. */
export type CorpusVariant = 'simple' | 'unnamed' | 'named';
export const CORPUS_VARIANTS: readonly CorpusVariant[] = ['simple', 'unnamed', 'named'];

export interface GatewayOutcome {
  /** The error the client read, if any. */
  readonly error?: { readonly code?: string; readonly message: string; readonly severity?: string; readonly hint?: string };
  /** STATEMENT_ALLOWED records of this statement, in batch order. */
  readonly allowed: readonly AuditEvent[];
  readonly denied: readonly AuditEvent[];
}

/**
 * One reused connection per contractor; a connection a case ended (or broke)
 * is replaced on next use.
 */
export class CorpusSessions {
  readonly #harness: GatewayHarness;
  readonly #clients = new Map<string, pg.Client>();
  readonly #tokens = new Map<string, string>();
  #names = 0;

  constructor(harness: GatewayHarness) {
    this.#harness = harness;
  }

  async #client(login: CorpusLogin): Promise<pg.Client> {
    const key = `${login.email} ${login.resource}`;
    const open = this.#clients.get(key);
    if (open !== undefined) return open;
    let token = this.#tokens.get(login.email);
    if (token === undefined) {
      token = (await this.#harness.token(login.email)).token;
      this.#tokens.set(login.email, token);
    }
    // A statement that never answers fails its case instead of queueing every later one behind it.
    const client = new pg.Client({ ...this.#harness.pgConfig(login.email, token, login.resource), query_timeout: 15_000 });
    const forget = (): void => {
      if (this.#clients.get(key) === client) this.#clients.delete(key);
    };
    client.on('error', forget);
    client.on('end', forget);
    await client.connect();
    this.#clients.set(key, client);
    return client;
  }

  /** Sends `sql` as `variant`, and reads what the gateway recorded about it. */
  async run(login: CorpusLogin, sql: string, variant: CorpusVariant): Promise<GatewayOutcome> {
    const client = await this.#client(login);
    const mark = this.#harness.timeline.length;
    let error: GatewayOutcome['error'];
    const query: pg.QueryConfig =
      variant === 'simple'
        ? { text: sql }
        : variant === 'unnamed'
          ? // node-postgres sends text without values as a simple query unless told otherwise.
            ({ text: sql, queryMode: 'extended' } as pg.QueryConfig)
          : { name: `corpus_${(this.#names += 1)}`, text: sql };
    try {
      await client.query(query);
    } catch (caught) {
      const { code, message, severity, hint } = caught as { code?: string; message: string; severity?: string; hint?: string };
      error = { message, ...(code === undefined ? {} : { code }), ...(severity === undefined ? {} : { severity }), ...(hint === undefined ? {} : { hint }) };
      // The session ended (FATAL, or the connection dropped): the next case gets a new one, without racing the close.
      if (severity === 'FATAL' || code === undefined) await this.#drop(login, client);
    }
    // Both records are written before the client hears anything, so they are in the timeline by now.
    const mine = this.#harness.timeline.slice(mark).map((entry) => entry.event).filter((event) => event.actor === login.email);
    const allowed = mine.filter((event) => event.code === 'STATEMENT_ALLOWED').sort((a, b) => Number(a.data.index ?? 0) - Number(b.data.index ?? 0));
    return { ...(error === undefined ? {} : { error }), allowed, denied: mine.filter((event) => event.code === 'STATEMENT_DENIED') };
  }

  async #drop(login: CorpusLogin, client: pg.Client): Promise<void> {
    const key = `${login.email} ${login.resource}`;
    if (this.#clients.get(key) === client) this.#clients.delete(key);
    await client.end().catch(() => undefined);
  }

  /** Ends a transaction block a failed statement may have left aborted; a no-op outside one. */
  async rollback(login: CorpusLogin): Promise<void> {
    const client = await this.#client(login);
    await client.query('ROLLBACK').catch(() => undefined);
  }

  /** Closes every connection, so the next case starts a fresh session. */
  async closeAll(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}
