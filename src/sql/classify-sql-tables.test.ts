import { beforeAll, describe, expect, it } from 'vitest';
import { classifySqlFresh, loadSqlParser } from './classify-sql.ts';

beforeAll(async () => {
  await loadSqlParser();
});

/** sql, tables read, tables written, functions. */
const CASES: readonly (readonly [string, readonly string[], readonly string[], (readonly string[])?])[] = [
  // CTE names hide tables only inside their WITH
  ['WITH t AS (SELECT 1) SELECT * FROM (WITH u AS (SELECT * FROM t) SELECT * FROM u) s', [], []],
  ['WITH x AS (SELECT * FROM x) SELECT * FROM x', ['x'], []],
  ['SELECT * FROM (WITH a AS (SELECT 1) SELECT * FROM a) s, a', ['a'], []],
  ['SELECT (WITH c AS (SELECT 1) SELECT * FROM c), (SELECT * FROM c)', ['c'], []],
  ['WITH a AS (SELECT * FROM s.a) SELECT * FROM a, s.a', ['s.a'], []],
  ['WITH src AS (SELECT * FROM staging) INSERT INTO t SELECT * FROM src', ['staging'], ['t']],
  ['WITH t AS (SELECT 1) INSERT INTO t SELECT * FROM t', [], ['t']],
  ['WITH t AS (SELECT 1) DELETE FROM t WHERE EXISTS (SELECT 1 FROM t)', [], ['t']],
  ['WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM a', [], []],
  // targets and sources
  ['INSERT INTO s.t (a) SELECT a FROM u JOIN v USING (id) RETURNING (SELECT max(x) FROM w)', ['u', 'v', 'w'], ['s.t'], ['max']],
  ['INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET b = (SELECT b FROM defaults)', ['defaults'], ['t']],
  ['UPDATE a.t SET x = b.y FROM b.u AS b WHERE b.id = t.id', ['b.u'], ['a.t']],
  ['UPDATE t SET x = 1 WHERE id IN (SELECT id FROM u) RETURNING *', ['u'], ['t']],
  ['DELETE FROM t USING u, s.v WHERE t.id = u.id', ['u', 's.v'], ['t']],
  ['DELETE FROM t WHERE id = 1 RETURNING (SELECT name FROM u WHERE u.id = t.id)', ['u'], ['t']],
  ['MERGE INTO s.t USING (SELECT * FROM u JOIN v ON true) x ON t.id = x.id WHEN MATCHED THEN UPDATE SET a = 1', ['u', 'v'], ['s.t']],
  ['MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id) RETURNING t.*', ['s'], ['t']],
  ['SELECT * FROM t JOIN u ON true FOR UPDATE OF t', ['t', 'u'], []],
  ['SELECT * INTO s.n FROM t', ['t'], ['s.n']],
  ['CREATE TABLE s.n AS SELECT * FROM db.s.t', ['db.s.t'], ['s.n']],
  ['COPY s.t (a, b) FROM STDIN', [], ['s.t']],
  ['COPY (SELECT * FROM s.t) TO STDOUT', ['s.t'], []],
  // joins, subqueries, lateral, views and other relations by name
  ['SELECT * FROM ONLY t TABLESAMPLE SYSTEM (10) LEFT JOIN LATERAL (SELECT * FROM u WHERE u.x = t.x) l ON true', ['t', 'u'], []],
  ['SELECT * FROM reporting.v_daily', ['reporting.v_daily'], []],
  ['SELECT * FROM "Sales"."Orders" o WHERE EXISTS (SELECT 1 FROM "Sales".refunds r WHERE r.o = o.id)', ['Sales.Orders', 'Sales.refunds'], []],
  ['SELECT a FROM t1 UNION SELECT a FROM s.t2 ORDER BY 1', ['t1', 's.t2'], []],
  // functions, qualified as written
  ['SELECT s.f(1), pg_catalog.lower(\'x\'), "My"."Func"() FROM generate_series(1, 2) g, LATERAL s.g(g) h', [], [], ['s.f', 'pg_catalog.lower', 'my.func', 'generate_series', 's.g']],
  ['CALL s.p(now())', [], [], ['s.p', 'now']],
];

describe('tables and functions', () => {
  it.each(CASES.map(([sql, read, written, functions]) => ({ sql, read, written, functions })))('$sql', ({ sql, read, written, functions }) => {
    const result = classifySqlFresh(sql);
    if (!result.ok) throw new Error(result.error);
    const [info] = result.statements;
    expect(info?.tablesRead).toEqual(read);
    expect(info?.tablesWritten).toEqual(written);
    if (functions !== undefined) expect(info?.functions).toEqual(functions);
  });
});
