/**
 * Statements against a schema with masked columns, each with whether the
 * masking criterion must refuse it. Masks: public.customers.email,
 * public.customers.phone and *.ssn (every table's ssn column). Tables:
 * customers(id, name, email, phone, ssn), orders(id, customer_id, total, note),
 * crm.leads(id, email, ssn).
 *
 * Refused cases name the leak path; the masked column (or row) must appear in
 * the refusal. Allowed cases are the plain uses whose values the gateway
 * masks in the result.
 */

export const CORPUS_MASKS = ['customers.email', 'customers.phone', '*.ssn'] as const;

export interface LeakCase {
  readonly sql: string;
  /** Refused: text the refusal's column must contain. Absent: allowed. */
  readonly refused?: string;
  /** The path, for readers of the corpus and of failures. */
  readonly path: string;
}

export const MASKING_LEAK_CORPUS: readonly LeakCase[] = [
  // Allowed: plain output columns of the top-level query.
  { path: 'plain column', sql: 'SELECT id, email FROM customers' },
  { path: 'plain qualified column', sql: 'SELECT c.email, c.phone FROM public.customers c' },
  { path: 'simple alias', sql: 'SELECT email AS contact FROM customers' },
  { path: 'star', sql: 'SELECT * FROM customers' },
  { path: 'table star', sql: 'SELECT c.*, o.total FROM customers c JOIN orders o ON o.customer_id = c.id' },
  { path: 'filter on unmasked column', sql: "SELECT email FROM customers WHERE name = 'Ann' ORDER BY id LIMIT 5" },
  { path: 'plain through a FROM subquery', sql: 'SELECT s.email FROM (SELECT id, email FROM customers) s WHERE s.id = 3' },
  { path: 'plain through a CTE', sql: 'WITH c AS (SELECT id, email FROM customers) SELECT email FROM c ORDER BY id' },
  { path: 'star through a subquery', sql: 'SELECT * FROM (SELECT * FROM customers) s WHERE s.id > 1' },
  { path: 'aggregate without masked columns', sql: 'SELECT count(*), max(id) FROM customers' },
  { path: 'table without masks', sql: "SELECT note FROM orders WHERE note LIKE '%x%'" },
  { path: 'unmasked column of another schema', sql: "SELECT id FROM crm.leads WHERE id > 3" },
  { path: 'PREPARE of a plain select', sql: 'PREPARE p AS SELECT email FROM customers WHERE id = $1' },
  { path: 'cursor over a plain select', sql: 'DECLARE c CURSOR FOR SELECT email, phone FROM customers' },
  { path: 'COPY table to stdout (masked in flight)', sql: 'COPY customers TO STDOUT' },
  { path: 'COPY columns as csv', sql: 'COPY customers (id, email) TO STDOUT WITH (FORMAT csv)' },
  { path: 'COPY into a masked table', sql: 'COPY customers FROM STDIN' },
  { path: 'COPY (query) of plain columns (masked in flight)', sql: 'COPY (SELECT c.id, c.email, c.* FROM customers c WHERE c.id < 10) TO STDOUT WITH (FORMAT csv)' },
  { path: 'UPDATE writing a masked column', sql: "UPDATE customers SET email = 'x@example.com' WHERE id = 1" },
  { path: 'INSERT values', sql: "INSERT INTO customers (id, email) VALUES (9, 'n@example.com')" },
  { path: 'DELETE by unmasked column', sql: 'DELETE FROM customers WHERE id = 9' },
  { path: 'EXPLAIN of a plain select', sql: 'EXPLAIN SELECT email FROM customers' },
  { path: 'TABLE shorthand', sql: 'TABLE customers' },
  { path: 'ORDER BY position of an unmasked column before a star', sql: 'SELECT id, * FROM customers ORDER BY 1' },
  { path: 'parenthesised plain column', sql: 'SELECT (email) FROM customers' },

  // Refused: filters, sorts and groupings are oracles.
  { path: 'WHERE', sql: "SELECT id FROM customers WHERE email = 'a@example.com'", refused: 'public.customers.email' },
  { path: 'WHERE LIKE prefix oracle', sql: "SELECT id FROM customers WHERE email LIKE 'a%'", refused: 'public.customers.email' },
  { path: 'unqualified name in WHERE (fail closed)', sql: "SELECT id FROM customers c WHERE phone IS NOT NULL", refused: 'public.customers.phone' },
  { path: 'JOIN ON', sql: 'SELECT o.id FROM orders o JOIN customers c ON c.email = o.note', refused: 'public.customers.email' },
  { path: 'JOIN USING', sql: 'SELECT 1 FROM customers JOIN crm.leads USING (email)', refused: 'email' },
  { path: 'ORDER BY', sql: 'SELECT id FROM customers ORDER BY email', refused: 'public.customers.email' },
  { path: 'ORDER BY position', sql: 'SELECT email FROM customers ORDER BY 1', refused: 'output column 1' },
  { path: 'ORDER BY position into a star', sql: 'SELECT * FROM customers ORDER BY 3', refused: 'output column 3' },
  { path: 'ORDER BY position into a star in a subquery', sql: 'SELECT * FROM (SELECT * FROM customers ORDER BY 2) s', refused: 'output column 2' },
  { path: 'NATURAL JOIN', sql: 'SELECT o.id FROM orders o NATURAL JOIN customers', refused: 'public.orders.*' },
  { path: 'FILTER clause of an aggregate', sql: "SELECT count(*) FILTER (WHERE email LIKE 'a%') FROM customers", refused: 'public.customers.email' },
  { path: 'row comparison', sql: "SELECT id FROM customers WHERE (id, email) > (1, 'a')", refused: 'public.customers.email' },
  { path: 'timing oracle', sql: "SELECT pg_sleep(CASE WHEN email LIKE 'a%' THEN 1 ELSE 0 END) FROM customers", refused: 'public.customers.email' },
  { path: 'ORDER BY output alias', sql: 'SELECT email AS e FROM customers ORDER BY e', refused: 'e' },
  { path: 'GROUP BY', sql: 'SELECT count(*) FROM customers GROUP BY phone', refused: 'public.customers.phone' },
  { path: 'HAVING', sql: 'SELECT id FROM customers GROUP BY id HAVING max(email) > $1', refused: 'public.customers.email' },
  { path: 'DISTINCT ON', sql: 'SELECT DISTINCT ON (email) id FROM customers', refused: 'public.customers.email' },
  { path: 'DISTINCT over a masked output', sql: 'SELECT DISTINCT email FROM customers', refused: 'output column' },
  { path: 'window ORDER BY', sql: 'SELECT id, row_number() OVER (ORDER BY email) FROM customers', refused: 'public.customers.email' },
  { path: 'window PARTITION BY', sql: 'SELECT id, count(*) OVER (PARTITION BY ssn) FROM customers', refused: 'public.customers.ssn' },

  // Refused: expressions and function calls.
  { path: 'function call', sql: 'SELECT lower(email) FROM customers', refused: 'public.customers.email' },
  { path: 'length oracle', sql: 'SELECT length(phone) FROM customers', refused: 'public.customers.phone' },
  { path: 'concatenation', sql: "SELECT name || ' ' || email FROM customers", refused: 'public.customers.email' },
  { path: 'cast', sql: 'SELECT email::bytea FROM customers', refused: 'public.customers.email' },
  { path: 'CASE', sql: "SELECT CASE WHEN ssn LIKE '1%' THEN 1 END FROM customers", refused: 'public.customers.ssn' },
  { path: 'aggregate', sql: 'SELECT string_agg(email, \',\') FROM customers', refused: 'public.customers.email' },
  { path: '*.column mask on any table', sql: 'SELECT md5(ssn) FROM crm.leads', refused: 'crm.leads.ssn' },
  { path: 'count of a masked column', sql: 'SELECT count(DISTINCT email) FROM customers', refused: 'public.customers.email' },

  // Refused: whole-row references carry every column.
  { path: 'whole row', sql: 'SELECT c FROM customers c', refused: 'public.customers.*' },
  { path: 'row_to_json', sql: 'SELECT row_to_json(c) FROM customers c', refused: 'public.customers.*' },
  { path: 'row cast to text', sql: 'SELECT c::text FROM customers c', refused: 'public.customers.*' },
  { path: 'table name as row', sql: 'SELECT to_jsonb(customers) FROM customers', refused: 'public.customers.*' },
  { path: 'star inside a function', sql: 'SELECT json_build_array(c.*) FROM customers c', refused: 'public.customers.*' },
  { path: 'field of a row', sql: 'SELECT (c).email FROM customers c', refused: 'public.customers.*' },

  // Refused: subqueries and CTEs feeding other expressions.
  { path: 'scalar subquery', sql: 'SELECT (SELECT email FROM customers LIMIT 1)', refused: 'public.customers.email' },
  { path: 'IN subquery', sql: 'SELECT id FROM orders WHERE note IN (SELECT email FROM customers)', refused: 'public.customers.email' },
  { path: 'EXISTS correlated', sql: "SELECT id FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND c.ssn > '5')", refused: 'public.customers.ssn' },
  { path: 'renamed in a subquery then filtered', sql: "SELECT s.e FROM (SELECT email AS e FROM customers) s WHERE s.e LIKE 'a%'", refused: 'e' },
  { path: 'renamed in a CTE then sorted', sql: 'WITH w AS (SELECT phone AS p FROM customers) SELECT p FROM w ORDER BY p', refused: 'p' },
  { path: 'CTE column list', sql: "WITH w(a, b) AS (SELECT id, email FROM customers) SELECT a FROM w WHERE b = 'x'", refused: 'w.b' },
  { path: 'star through a subquery then filtered', sql: "SELECT * FROM (SELECT * FROM customers) s WHERE s.email = 'x'", refused: 's.email' },
  { path: 'UNION', sql: 'SELECT email FROM customers UNION SELECT note FROM orders', refused: 'public.customers.email' },
  { path: 'UNION ALL', sql: 'SELECT email FROM customers UNION ALL SELECT email FROM customers', refused: 'public.customers.email' },
  { path: 'LATERAL', sql: 'SELECT x.l FROM customers c, LATERAL (SELECT length(c.email) AS l) x', refused: 'public.customers.email' },
  { path: 'VALUES referencing outer column', sql: 'SELECT (SELECT v FROM (VALUES (c.phone)) t(v)) FROM customers c', refused: 'public.customers.phone' },

  // Refused: writes that return or copy clear data.
  { path: 'RETURNING', sql: "UPDATE customers SET name = 'x' WHERE id = 1 RETURNING email", refused: 'public.customers.email' },
  { path: 'RETURNING star', sql: 'DELETE FROM customers WHERE id = 1 RETURNING *', refused: 'public.customers.*' },
  { path: 'UPDATE SET from a masked column', sql: 'UPDATE customers SET name = email WHERE id = 1', refused: 'public.customers.email' },
  { path: 'UPDATE WHERE oracle', sql: "UPDATE customers SET name = name WHERE ssn = '123'", refused: 'public.customers.ssn' },
  { path: 'DELETE WHERE oracle', sql: "DELETE FROM customers WHERE email LIKE 'a%'", refused: 'public.customers.email' },
  { path: 'INSERT ... SELECT', sql: 'INSERT INTO orders (note) SELECT email FROM customers', refused: 'public.customers.email' },
  { path: 'INSERT ... SELECT star', sql: 'INSERT INTO crm.leads SELECT * FROM customers', refused: 'public.customers.*' },
  { path: 'ON CONFLICT reading excluded', sql: "INSERT INTO customers (id, email) VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET name = excluded.email", refused: 'public.customers.email' },
  { path: 'data-modifying CTE returning', sql: 'WITH d AS (DELETE FROM customers WHERE id = 1 RETURNING phone) SELECT * FROM d', refused: 'public.customers.phone' },
  { path: 'CREATE TABLE AS', sql: 'CREATE TABLE copy AS SELECT email FROM customers', refused: 'public.customers.email' },
  { path: 'CREATE MATERIALIZED VIEW', sql: 'CREATE MATERIALIZED VIEW mv AS SELECT * FROM customers', refused: 'public.customers.*' },
  { path: 'CREATE VIEW', sql: 'CREATE VIEW v AS SELECT id, ssn FROM customers', refused: 'public.customers.ssn' },
  { path: 'SELECT INTO', sql: 'SELECT email INTO TEMP t FROM customers', refused: 'public.customers.email' },
  { path: 'MERGE', sql: 'MERGE INTO orders o USING customers c ON o.note = c.email WHEN MATCHED THEN DELETE', refused: 'public.customers.email' },
  { path: 'COPY (query) with an expression', sql: 'COPY (SELECT upper(email) FROM customers) TO STDOUT', refused: 'public.customers.email' },
  { path: 'binary COPY (query)', sql: 'COPY (SELECT email FROM customers) TO STDOUT WITH (FORMAT binary)', refused: 'public.customers.email' },
  { path: 'COPY (query) to a server file', sql: "COPY (SELECT id, ssn FROM customers) TO '/tmp/x'", refused: 'public.customers.ssn' },
  { path: 'COPY (query) with a filter', sql: "COPY (SELECT id FROM customers WHERE email LIKE 'a%') TO STDOUT", refused: 'public.customers.email' },
  { path: 'binary COPY', sql: 'COPY customers TO STDOUT WITH (FORMAT binary)', refused: 'public.customers.*' },
  { path: 'COPY to a server file', sql: "COPY customers TO '/tmp/customers.txt'", refused: 'public.customers.*' },
  { path: 'PREPARE with a filter', sql: 'PREPARE q AS SELECT id FROM customers WHERE email = $1', refused: 'public.customers.email' },
  { path: 'cursor with a sort', sql: 'DECLARE c CURSOR FOR SELECT id FROM customers ORDER BY phone', refused: 'public.customers.phone' },
  { path: 'EXPLAIN ANALYZE with RETURNING', sql: 'EXPLAIN ANALYZE DELETE FROM customers WHERE id = 1 RETURNING email', refused: 'public.customers.email' },
  { path: 'CHECK constraint oracle', sql: "ALTER TABLE customers ADD CONSTRAINT probe CHECK (email NOT LIKE 'a%')", refused: 'public.customers.email' },
];
