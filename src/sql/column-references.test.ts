import { beforeAll, describe, expect, it } from 'vitest';
import { findColumnLeaks, type SensitiveColumns } from './column-references.ts';
import { loadSqlParser, parseSql } from './sql-parser.ts';

/** customers.email and every table's ssn are sensitive. */
const sensitive: SensitiveColumns = {
  of: (table) => new Set(table === 'public.customers' ? ['email', 'ssn'] : ['ssn']),
};

function usage(sql: string) {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Error(parsed.error);
  return findColumnLeaks(parsed.statements[0]!.node, sensitive);
}

beforeAll(async () => {
  await loadSqlParser();
});

describe('column references', () => {
  it('tells plain uses (touching sensitive columns) from statements that touch none', () => {
    expect(usage('SELECT email FROM customers')).toEqual({ leaks: [], touchesSensitive: true });
    expect(usage('SELECT id, note FROM orders WHERE note <> $1')).toEqual({ leaks: [], touchesSensitive: false });
    expect(usage('SELECT * FROM orders')).toEqual({ leaks: [], touchesSensitive: true });
  });

  it('names the place of each leak, nested levels included', () => {
    expect(usage("SELECT id FROM customers WHERE email = 'x'").leaks).toEqual([{ column: 'public.customers.email', place: 'the WHERE clause of the query' }]);
    expect(usage('SELECT id FROM (SELECT id FROM customers ORDER BY email) s').leaks).toEqual([
      { column: 'public.customers.email', place: 'the ORDER BY of the subquery s in FROM' },
    ]);
    expect(usage('WITH w AS (SELECT lower(email) AS e FROM customers) SELECT e FROM w').leaks[0]?.place).toBe('an expression in the SELECT list of the CTE w');
  });

  it('resolves qualified names to their relation, and unqualified ones against every table in scope', () => {
    // o.email is a column of orders, which has no sensitive email.
    expect(usage("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.email = 'x'").leaks).toEqual([]);
    // An unqualified email could be the customers column: counted as it.
    expect(usage("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE email = 'x'").leaks[0]?.column).toBe('public.customers.email');
    // A correlated subquery sees the outer level's tables.
    expect(usage('SELECT id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note = c.email)').leaks[0]?.column).toBe('public.customers.email');
  });

  it('follows sensitive columns through subqueries and CTEs under their new names', () => {
    expect(usage('SELECT s.e FROM (SELECT email AS e FROM customers) s').leaks).toEqual([]);
    expect(usage('SELECT s.e FROM (SELECT email AS e FROM customers) s ORDER BY s.e').leaks[0]?.column).toBe('s.e');
    expect(usage('SELECT s.id FROM (SELECT id FROM customers) s ORDER BY s.id').leaks).toEqual([]);
  });

  it('treats a bare relation name as a whole row when the relation is sensitive', () => {
    expect(usage('SELECT customers FROM customers').leaks[0]).toEqual({ column: 'public.customers.*', place: 'a whole-row reference in the SELECT list of the query' });
    expect(usage('SELECT hstore(o) FROM orders o').leaks[0]?.column).toBe('public.orders.*');
  });
});

describe('calls that read data the statement does not name', () => {
  it('judges SQL text run by query_to_xml, ts_stat and ts_rewrite as a nested query', () => {
    expect(usage("SELECT query_to_xml('SELECT email FROM customers', true, true, '')").leaks[0]).toEqual({
      column: 'public.customers.email',
      place: 'the SELECT list of the SQL text run by query_to_xml()',
    });
    expect(usage("SELECT * FROM ts_stat('SELECT to_tsvector(email) FROM public.customers')").leaks[0]?.column).toBe('public.customers.email');
    expect(usage("SELECT ts_rewrite('a'::tsquery, 'SELECT t, s FROM customers c, LATERAL (SELECT to_tsquery(c.email) t, ''b''::tsquery s) x')").leaks[0]?.column).toBe('public.customers.email');
    // Text that names no sensitive column passes; the three-argument ts_rewrite runs no SQL.
    expect(usage("SELECT query_to_xml('SELECT id, note FROM orders', true, true, '')").leaks).toEqual([]);
    expect(usage("SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery)").leaks).toEqual([]);
  });

  it('refuses SQL text it cannot read, and whole relations read by value', () => {
    expect(usage("SELECT query_to_xml(current_setting('x'), true, true, '')").leaks[0]?.place).toContain('not a string literal');
    expect(usage("SELECT query_to_xml('SELEC oops', true, true, '')").leaks[0]?.place).toContain('not a string literal');
    expect(usage("SELECT table_to_xml('orders', true, true, '')").leaks[0]?.place).toContain('table_to_xml()');
    expect(usage("SELECT pg_catalog.cursor_to_xml('c', 10, true, true, '')").leaks[0]?.place).toContain('cursor_to_xml()');
  });
});

describe('the planner statistics catalogs', () => {
  it('counts reading them as a leak of every masked column', () => {
    expect(usage("SELECT histogram_bounds FROM pg_stats WHERE tablename = 'customers'").leaks[0]?.place).toContain('pg_stats (the planner');
    expect(usage('SELECT s.stavalues1 FROM pg_catalog.pg_statistic s').leaks[0]?.place).toContain('pg_statistic');
    expect(usage('SELECT 1 FROM orders o WHERE EXISTS (SELECT 1 FROM pg_stats_ext)').leaks[0]?.place).toContain('pg_stats_ext');
    // A same-named table in another schema is an ordinary table.
    expect(usage('SELECT id FROM app.pg_stats').leaks).toEqual([]);
  });
});
