import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACTORS, startGatewayHarness, type GatewayHarness } from '../support/gateway-harness.ts';
import { connectAs, runSql as run, type Outcome } from '../support/gateway-pg-client.ts';

/**
 * A contractor with a read-only role and a mask on customers.email, attacking
 * the gateway: every way found to see the masked value, to write, or to lift
 * the statement_timeout, through the real gateway and the real server. Each
 * probe must be refused or return nothing in clear.
 */

const READ_GRANT = `      - resources: { names: [gw, down] }
        actions: [read]`;
const MASKS = `
        mask: [customers.email]`;
const GUARDRAILS = `guardrails:
  - resources: { names: [gw] }
    statement_timeout: 1500ms
`;

let harness: GatewayHarness;
const connect = (email: string, extra?: Partial<pg.ClientConfig>): Promise<pg.Client> => connectAs(harness, email, extra);
const CLEAR = 'ann@example.com';

beforeAll(async () => {
  harness = await startGatewayHarness();
  await harness.direct(`CREATE TABLE customers (id int PRIMARY KEY, email text, note text);
    INSERT INTO customers VALUES (1, 'ann@example.com', 'first'), (2, 'bob@example.com', 'second');
    CREATE SEQUENCE rv_seq;
    CREATE TABLE rv_log (n int);
    ANALYZE customers;`);
  await harness.applyPolicy((yaml) => `${yaml.replace(READ_GRANT, `${READ_GRANT}${MASKS}`)}${GUARDRAILS}`);
});

afterAll(async () => {
  await harness.close();
});





/** Each of these once returned the masked value in clear. */
const FIXED_LEAKS: readonly [string, string][] = [
  ["SELECT query_to_xml('select email from customers', true, true, '')", 'query_to_xml()'],
  ["SELECT * FROM ts_stat('SELECT to_tsvector(''simple'', email) FROM customers')", 'ts_stat()'],
  ["SELECT ts_rewrite('x'::tsquery, 'SELECT ''x''::tsquery, to_tsquery(''simple'', email) FROM customers LIMIT 1')", 'ts_rewrite()'],
  ["SELECT histogram_bounds::text, most_common_vals::text FROM pg_stats WHERE tablename = 'customers' AND attname = 'email'", 'pg_stats'],
  ['SELECT stavalues1::text FROM pg_catalog.pg_statistic', 'pg_statistic'],
];

/** Probes for the masked value that were already refused or masked. */
const MASK_PROBES: readonly string[] = [
  'SELECT email::int FROM customers',
  'SELECT CAST(email AS int) FROM customers',
  'SELECT json_agg(email) FROM customers',
  'SELECT to_jsonb(c) FROM customers c',
  'SELECT to_jsonb(c.*) FROM customers c',
  'SELECT array[email] FROM customers',
  "SELECT format('%s', email) FROM customers",
  'SELECT min(email) FROM customers',
  'SELECT max(email) FROM customers',
  'SELECT x.e FROM customers c, LATERAL (SELECT c.email AS e) x',
  'SELECT x.e FROM customers c CROSS JOIN LATERAL (SELECT c.email) x(e)',
  'SELECT t.* FROM customers c, LATERAL (VALUES (c.email)) t',
  'SELECT t.column1 FROM customers c, LATERAL (VALUES (c.email)) t',
  'SELECT t.x FROM customers c, LATERAL (VALUES (c.email)) t(x)',
  'SELECT v.* FROM (VALUES (1)) v(id) JOIN customers c USING (id)',
  'WITH t AS (SELECT email AS e FROM customers) SELECT e FROM t',
  'WITH t AS MATERIALIZED (SELECT email AS e FROM customers) SELECT e FROM t',
  'WITH RECURSIVE t(e) AS (SELECT email FROM customers UNION ALL SELECT e FROM t WHERE false) SELECT e FROM t',
  'SELECT (SELECT email) AS e FROM customers',
  'SELECT (SELECT c.email) AS e FROM customers c',
  'SELECT email COLLATE "C" AS e FROM customers',
  'SELECT "EMAIL" FROM customers',
  'SELECT "email" AS e FROM "customers"',
  'SELECT e FROM (SELECT email AS e FROM customers) s',
  'SELECT s.e FROM (SELECT * FROM customers) s(i, e)',
  'SELECT * FROM customers NATURAL JOIN customers d',
  'SELECT email FROM customers c WHERE EXISTS (SELECT 1 WHERE c.email > $$b$$)',
  'SELECT x FROM customers c, unnest(array[c.email]) x',
  'SELECT x FROM customers c, LATERAL unnest(array[c.email]) AS x',
  'SELECT x FROM customers c, LATERAL ROWS FROM (unnest(array[c.email])) AS x',
  'SELECT x FROM customers c, LATERAL jsonb_array_elements_text(jsonb_build_array(c.email)) x',
  'SELECT x FROM customers c, LATERAL (SELECT c.email) AS t(x)',
  'SELECT email FROM customers GROUP BY email',
  'SELECT DISTINCT email FROM customers',
  'SELECT email FROM customers ORDER BY 1',
  'SELECT xmlforest(email) FROM customers',
  'SELECT c.email FROM ONLY customers c',
  'TABLE customers',
  'SELECT string_agg(email, $$,$$) FROM customers',
  'SELECT email || $$$$ FROM customers',
  'SELECT pg_typeof(email)::text FROM customers',
  'SELECT (c).email FROM customers c',
  'SELECT (customers.*)::text FROM customers',
  'SELECT ROW(email)::text FROM customers',
  'SELECT customers FROM customers',
  'SELECT e FROM customers c(i, e)',
  'SELECT c.e FROM customers AS c(i, e)',
  'SELECT * FROM customers AS c(i, e)',
  'SELECT email FROM customers LIMIT (SELECT 1)',
  'SELECT e FROM (TABLE customers) s(i, e, n)',
  'SELECT email FROM customers UNION SELECT email FROM customers',
  'SELECT * FROM (SELECT email FROM customers UNION ALL SELECT email FROM customers) u',
  'VALUES ((SELECT email FROM customers LIMIT 1))',
  'SELECT * FROM (VALUES ((SELECT email FROM customers LIMIT 1))) v',
  'SELECT email FROM customers WHERE id IN (SELECT id FROM customers)',
  'SELECT t.email FROM customers t JOIN customers u ON u.id = t.id',
  'SELECT u.e FROM customers t JOIN LATERAL (SELECT t.email e) u ON true',
  "SELECT * FROM dblink('x', 'y') AS t(a text)",
  "SELECT current_setting('x') FROM customers",
  'SELECT c.email FROM customers c WINDOW w AS (ORDER BY c.email)',
  'SELECT email, row_number() OVER w FROM customers WINDOW w AS (ORDER BY email)',
  'SELECT e FROM customers c JOIN (SELECT id, email AS e FROM customers) s USING (id)',
  'SELECT s.* FROM customers c JOIN (SELECT id AS email FROM customers) s USING (email)',
];

/** Probes for a write, a loosened read-only mode or a longer statement_timeout, each refused. */
const LIMIT_PROBES: readonly string[] = [
  "SELECT table_to_xml('customers', true, true, '')",
  "SELECT nextval('rv_seq')",
  'SELECT email FROM customers WHERE id = 1 FOR UPDATE',
  "SELECT setval('rv_seq', 5)",
  "SELECT lo_create(0)",
  "SELECT lo_from_bytea(0, 'x')",
  "SELECT lo_import('/etc/passwd')",
  "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
  "SET default_transaction_read_only = off",
  "SET transaction_read_only = off",
  "BEGIN READ WRITE",
  "START TRANSACTION READ WRITE",
  "SELECT set_config('default_transaction_read_only', 'off', false)",
  "SELECT set_config('transaction_read_only', 'off', false)",
  "SELECT set_config('default_transaction_read_only', 'of' || 'f', false)",
  "SELECT set_config(lower('DEFAULT_TRANSACTION_READ_ONLY'), 'off', false)",
  "RESET default_transaction_read_only",
  "SET statement_timeout = 0",
  "SET statement_timeout = '0'",
  "SET statement_timeout TO 0",
  "SET LOCAL statement_timeout = 0",
  "SET statement_timeout = '1h'",
  "SET \"statement_timeout\" = 0",
  "SET STATEMENT_TIMEOUT = 0",
  "SELECT set_config('Statement_Timeout', '0', false)",
  "SELECT set_config('statement_timeout', '0', false)",
  "SELECT set_config('statement_timeout', '0 ', false)",
  "SELECT set_config('statement_timeout', ' 0', false)",
  "SELECT set_config('statement_timeout', '1e9', false)",
  "SELECT set_config('statement_timeout', '1000000000', false)",
  "SELECT set_config('statement_timeout', '86400s', false)",
  "SELECT set_config('statement_timeout', E'0', false)",
  "SELECT set_config('statement_timeout', U&'0', false)",
  "SELECT set_config('statement_timeout', $$0$$, false)",
  "SELECT set_config('statement_timeout', '0'::text, false)",
  "SELECT set_config(name, '0', false) FROM pg_settings WHERE name = 'statement_timeout'",
  "SELECT pg_catalog.set_config('statement_timeout', '0', false)",
  "UPDATE pg_settings SET setting = '0' WHERE name = 'statement_timeout'",
  "ALTER ROLE CURRENT_USER SET statement_timeout = 0",
  "ALTER DATABASE gw SET statement_timeout = 0",
  "ALTER SYSTEM SET statement_timeout = 0",
  "SET ROLE postgres",
  "SET SESSION AUTHORIZATION postgres",
];

function clearIn(outcome: Outcome): boolean {
  const text = JSON.stringify(outcome);
  return text.includes(CLEAR) || text.includes('bob@example.com');
}

describe('getting a masked value in clear', () => {
  it('refuses SQL text run by a function, and the planner statistics, when they would show a masked column', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      for (const [sql, place] of FIXED_LEAKS) {
        const outcome = await run(client, sql);
        expect(clearIn(outcome), sql).toBe(false);
        expect(outcome, sql).toMatchObject({ ok: false, code: '42501', message: expect.stringContaining('DENY_MASKED_COLUMN') as unknown });
        expect(outcome.ok ? '' : outcome.detail, sql).toContain(place);
      }
      // Query text that reads no masked column still runs.
      const plain = await run(client, "SELECT query_to_xml('select id from customers order by id', true, true, '') AS x");
      expect(plain.ok && JSON.stringify(plain.rows)).toContain('<id>1</id>');
    } finally {
      await client.end();
    }
  });

  it('never returns the clear value to any other probe', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      for (const sql of MASK_PROBES) {
        const outcome = await run(client, sql);
        expect(clearIn(outcome), sql).toBe(false);
      }
      // The statements that ran returned the column masked.
      expect(await run(client, 'SELECT x.e FROM customers c, LATERAL (SELECT c.email AS e) x ORDER BY 1 LIMIT 0')).toMatchObject({ ok: false, code: '42501' });
      expect(await run(client, 'SELECT s.e FROM (SELECT * FROM customers) s(i, e)')).toEqual({ ok: true, rows: [{ e: '***' }, { e: '***' }] });
    } finally {
      await client.end();
    }
  }, 60_000);

  it('keeps each verdict when the same shape comes back with other literals (classification cache)', async () => {
    const client = await connect(CONTRACTORS.reader);
    try {
      for (const value of ['a', 'bb', 'ccc', 'dddd']) expect(await run(client, `SELECT set_config('application_name', '${value}', false)`), value).toMatchObject({ ok: true });
      expect(await run(client, "SELECT set_config('statement_timeout', '0', false)")).toMatchObject({ ok: false, code: '42501' });
      for (const value of ['1', '2', '3']) expect(await run(client, `SELECT query_to_xml('select ${value}', true, true, '')`)).toMatchObject({ ok: true });
      expect(clearIn(await run(client, "SELECT query_to_xml('select email from customers', true, true, '')"))).toBe(false);
    } finally {
      await client.end();
    }
  });
});

describe('writing, and loosening the session limits', () => {
  it('refuses every probe, and the session keeps its limits', async () => {
    // Turning read-only off in the startup packet (libpq's options / PGOPTIONS) is refused at connection.
    await expect(connect(CONTRACTORS.reader, { options: '-c default_transaction_read_only=off' })).rejects.toThrow(/default_transaction_read_only/);
    await expect(connect(CONTRACTORS.reader, { options: '-c transaction_read_only=off' })).rejects.toThrow(/transaction_read_only/);
    const client = await connect(CONTRACTORS.reader, { statement_timeout: 0, options: '-c statement_timeout=0' });
    try {
      for (const sql of LIMIT_PROBES) {
        const outcome = await run(client, sql);
        expect(outcome.ok, sql).toBe(false);
      }
      expect(await run(client, 'SHOW statement_timeout')).toEqual({ ok: true, rows: [{ statement_timeout: '1500ms' }] });
      expect(await run(client, 'SHOW default_transaction_read_only')).toEqual({ ok: true, rows: [{ default_transaction_read_only: 'on' }] });
      expect(await run(client, 'SELECT pg_sleep(3)')).toMatchObject({ ok: false, code: '57014' });
      expect(Number(await harness.scalar("SELECT last_value FROM rv_seq"))).toBe(1);
    } finally {
      await client.end();
    }
  }, 60_000);
});
