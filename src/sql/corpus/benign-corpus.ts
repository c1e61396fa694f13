/**
 * Ordinary application and analyst SQL that must pass for the contractor it
 * is written for (see corpus-judge.ts): safety that gets in the way of normal
 * work gets switched off, so false refusals count as failures too.
 *
 * To add a case: append it under the subject who would run it, with the
 * classes the gateway should see, and run src/sql/corpus/benign-corpus.test.ts.
 */
import type { StatementClass } from '../sql-types.ts';
import type { CorpusSubject } from './corpus-judge.ts';

export interface BenignCase {
  readonly sql: string;
  readonly as: CorpusSubject;
  /** The action of each statement, in order. */
  readonly classes: readonly StatementClass[];
}

const reads = (sql: string): BenignCase => ({ sql, as: 'reader', classes: ['read'] });
const writes = (sql: string, classes: readonly StatementClass[] = ['write']): BenignCase => ({ sql, as: 'writer', classes });
const develops = (sql: string, classes: readonly StatementClass[] = ['ddl']): BenignCase => ({ sql, as: 'developer', classes });
const inProd = (sql: string, classes: readonly StatementClass[] = ['write']): BenignCase => ({ sql, as: 'prod', classes });

export const BENIGN_CORPUS: readonly BenignCase[] = [
  // analyst reads: joins, aggregates, windows, CTEs, lateral, grouping sets, json
  reads('SELECT 1'),
  reads('SELECT now(), current_user, version()'),
  reads('SELECT id, email FROM customers WHERE id = 42'),
  reads('SELECT * FROM sales.orders o JOIN sales.customers c ON c.id = o.customer_id WHERE o.total > 100'),
  reads('SELECT c.country, count(*), sum(o.total) FROM orders o JOIN customers c USING (customer_id) GROUP BY c.country HAVING count(*) > 10 ORDER BY 3 DESC'),
  reads('SELECT o.*, row_number() OVER (PARTITION BY customer_id ORDER BY created_at DESC) AS rn FROM orders o'),
  reads('SELECT day, sum(total) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) FROM daily_sales'),
  reads('SELECT lag(total) OVER w, lead(total) OVER w FROM orders WINDOW w AS (ORDER BY id)'),
  reads('WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval \'7 days\') SELECT count(*) FROM recent'),
  reads('WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b'),
  reads('WITH RECURSIVE tree AS (SELECT id, parent_id FROM categories WHERE parent_id IS NULL UNION ALL SELECT c.id, c.parent_id FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree'),
  reads('WITH RECURSIVE n(i) AS (VALUES (1) UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n'),
  reads('SELECT c.id, last.total FROM customers c CROSS JOIN LATERAL (SELECT total FROM orders o WHERE o.customer_id = c.id ORDER BY created_at DESC LIMIT 1) last'),
  reads('SELECT region, product, sum(amount) FROM sales GROUP BY GROUPING SETS ((region), (product), ())'),
  reads('SELECT region, product, sum(amount) FROM sales GROUP BY ROLLUP (region, product)'),
  reads('SELECT region, product, sum(amount) FROM sales GROUP BY CUBE (region, product)'),
  reads("SELECT payload->>'kind', payload #> '{a,b}', payload @> '{\"x\": 1}' FROM events"),
  reads("SELECT jsonb_agg(jsonb_build_object('id', id, 'email', email)) FROM customers"),
  reads("SELECT * FROM jsonb_to_recordset('[{\"a\":1}]'::jsonb) AS r(a int)"),
  reads("SELECT jsonb_path_query(doc, '$.items[*] ? (@.price > 10)') FROM docs"),
  reads('SELECT * FROM generate_series(1, 10) g'),
  reads("SELECT date_trunc('month', created_at), count(*) FROM orders GROUP BY 1 ORDER BY 1"),
  reads("SELECT extract(epoch FROM now() - created_at) FROM orders WHERE id = 1"),
  reads("SELECT to_char(now(), 'YYYY-MM-DD'), now() AT TIME ZONE 'UTC'"),
  reads('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total) FROM orders'),
  reads("SELECT string_agg(name, ', ' ORDER BY name) FROM products"),
  reads('SELECT DISTINCT ON (customer_id) customer_id, total FROM orders ORDER BY customer_id, created_at DESC'),
  reads('SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE vip) AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = orders.id)'),
  reads('SELECT a FROM t1 UNION SELECT a FROM t2 EXCEPT SELECT a FROM t3 INTERSECT SELECT a FROM t4'),
  reads('SELECT * FROM orders ORDER BY id LIMIT 50 OFFSET 100'),
  reads('SELECT * FROM orders FETCH FIRST 10 ROWS ONLY'),
  reads("SELECT * FROM products WHERE name ILIKE '%widget%' OR description ~* 'gadget'"),
  reads("SELECT * FROM docs WHERE to_tsvector('english', body) @@ plainto_tsquery('english', 'stint gateway')"),
  reads('SELECT coalesce(nullif(a, \'\'), b), greatest(x, y), least(x, y) FROM t'),
  reads('SELECT CASE WHEN total > 100 THEN \'big\' ELSE \'small\' END FROM orders'),
  reads("SELECT E'line\\nbreak', U&'d\\0061t\\+000061', $$dollar 'quoted'$$, $tag$x$tag$, B'1010', X'ff'"),
  reads('SELECT "Weird Column" FROM "Mixed"."Case Table"'),
  reads('SELECT pg_size_pretty(pg_total_relation_size(\'orders\'))'),
  reads('SELECT * FROM pg_stat_activity WHERE datname = current_database()'),
  reads('SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY 2 DESC'),
  reads('SELECT * FROM information_schema.columns WHERE table_name = \'orders\''),
  reads('SELECT pg_advisory_lock(42)'),
  reads('SELECT pg_try_advisory_xact_lock(42)'),
  reads('SELECT current_setting(\'search_path\')'),
  reads('SELECT query_to_xml(\'select id from orders limit 1\', true, false, \'\')'),
  reads('TABLE orders'),
  reads('VALUES (1, \'a\'), (2, \'b\')'),
  reads('SHOW search_path'),
  reads('SHOW ALL'),
  reads('EXPLAIN SELECT * FROM orders WHERE id = 1'),
  reads('EXPLAIN (ANALYZE, BUFFERS, FORMAT json) SELECT * FROM orders WHERE id = 1'),
  reads('EXPLAIN DELETE FROM orders'),
  reads('EXPLAIN (ANALYZE false) UPDATE orders SET total = 0'),
  reads('COPY orders TO STDOUT WITH (FORMAT csv, HEADER)'),
  reads('COPY (SELECT id, total FROM orders WHERE total > 10) TO STDOUT'),
  reads('DECLARE c CURSOR WITH HOLD FOR SELECT * FROM orders'),
  reads('FETCH FORWARD 100 FROM c'),
  reads('CLOSE c'),
  { sql: 'BEGIN; SELECT * FROM orders; COMMIT', as: 'reader', classes: ['read', 'read', 'read'] },
  { sql: 'BEGIN READ ONLY; SELECT 1; ROLLBACK', as: 'reader', classes: ['read', 'read', 'read'] },
  { sql: 'START TRANSACTION ISOLATION LEVEL REPEATABLE READ; SELECT 1; COMMIT', as: 'reader', classes: ['read', 'read', 'read'] },
  { sql: 'SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a; RELEASE a', as: 'reader', classes: ['read', 'read', 'read', 'read'] },
  { sql: 'PREPARE q(int) AS SELECT * FROM orders WHERE id = $1; EXECUTE q(1); DEALLOCATE q', as: 'reader', classes: ['read', 'read', 'read'] },
  reads('SET search_path = sales, public'),
  reads("SET statement_timeout = '30s'"),
  reads('SET LOCAL work_mem = \'64MB\''),
  reads('SET application_name = \'dbeaver\''),
  reads('SET TIME ZONE \'Europe/Paris\''),
  reads('SET datestyle TO ISO, DMY'),
  reads('SET client_min_messages = warning'),
  reads('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'),
  reads('RESET statement_timeout'),
  reads('RESET ALL'),
  reads("SELECT set_config('search_path', 'sales', false)"),
  reads("SELECT set_config('statement_timeout', '10s', true)"),
  reads('DISCARD TEMP'),
  reads('LISTEN orders_changed'),
  reads('UNLISTEN *'),

  // application writes
  writes("INSERT INTO orders (customer_id, total) VALUES (1, 10.5) RETURNING id"),
  writes('INSERT INTO orders (customer_id, total) SELECT id, 0 FROM customers WHERE vip'),
  writes("INSERT INTO counters (key, n) VALUES ('a', 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + excluded.n"),
  writes("INSERT INTO tags (name) VALUES ('x') ON CONFLICT DO NOTHING"),
  writes('UPDATE orders SET status = \'shipped\' WHERE id = 7'),
  writes('UPDATE orders o SET total = o.total * 1.1 FROM customers c WHERE c.id = o.customer_id AND c.vip'),
  writes('DELETE FROM sessions WHERE expires_at < now()'),
  writes('DELETE FROM cart_items ci USING carts c WHERE c.id = ci.cart_id AND c.abandoned'),
  writes('MERGE INTO stock s USING deliveries d ON s.sku = d.sku WHEN MATCHED THEN UPDATE SET qty = s.qty + d.qty WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (d.sku, d.qty)'),
  writes('WITH moved AS (DELETE FROM inbox WHERE processed RETURNING *) INSERT INTO archive SELECT * FROM moved'),
  writes('SELECT * FROM jobs WHERE state = \'ready\' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED'),
  writes("SELECT nextval('orders_id_seq')"),
  writes('COPY staging_orders FROM STDIN WITH (FORMAT csv)'),
  writes("SELECT pg_notify('orders', '42')"),
  writes('CALL process_batch(100)'),
  writes('TRUNCATE scratch'),
  writes('LOCK TABLE jobs IN SHARE ROW EXCLUSIVE MODE'),
  writes('REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals'),
  writes('EXPLAIN ANALYZE UPDATE orders SET total = total WHERE id = 1'),
  writes('CREATE TEMP TABLE tmp_ids AS SELECT id FROM orders WHERE total > 100'),
  writes('SELECT id INTO TEMP tmp_ids2 FROM orders'),
  writes('BEGIN READ WRITE; INSERT INTO audit_note (note) VALUES (\'x\'); COMMIT', ['read', 'write', 'read']),
  writes('BEGIN; UPDATE accounts SET balance = balance - 10 WHERE id = 1; UPDATE accounts SET balance = balance + 10 WHERE id = 2; COMMIT', ['read', 'write', 'write', 'read']),
  writes('PREPARE ins(int) AS INSERT INTO t (a) VALUES ($1); EXECUTE ins(1)', ['write', 'write']),
  writes('SELECT lo_create(0)'),

  // schema work on staging
  develops('CREATE TABLE invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric NOT NULL)'),
  develops('ALTER TABLE invoices ADD COLUMN paid_at timestamptz'),
  develops('CREATE INDEX CONCURRENTLY invoices_paid_idx ON invoices (paid_at)'),
  develops('CREATE VIEW unpaid AS SELECT * FROM invoices WHERE paid_at IS NULL'),
  develops('CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$'),
  develops('CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$'),
  develops('CREATE TRIGGER touch BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION touch()'),
  develops('DO $$ BEGIN RAISE NOTICE \'migrating\'; END $$', ['unsafe']),
  develops('DROP VIEW IF EXISTS unpaid'),
  develops('VACUUM ANALYZE invoices'),

  // production, under its guardrail
  inProd('UPDATE orders SET status = \'refunded\' WHERE id = 9'),
  inProd('DELETE FROM sessions WHERE id = 3'),
  inProd('SELECT * FROM orders WHERE id = 9', ['read']),
  inProd('INSERT INTO notes (body) VALUES ($$hello$$)'),
];
