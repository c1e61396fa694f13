import { beforeAll, describe, expect, it } from 'vitest';
import { classifySql, classifyStatement, loadSqlParser } from './classify-sql.ts';
import type { StatementClass, StatementInfo } from './sql-types.ts';

beforeAll(async () => {
  await loadSqlParser();
});

interface Case {
  readonly sql: string;
  readonly class: StatementClass;
  readonly command?: string;
  readonly read?: readonly string[];
  readonly written?: readonly string[];
  readonly functions?: readonly string[];
  readonly executes?: string;
  readonly prepares?: string;
  /** The statement's own text, when it is not the whole input trimmed. */
  readonly text?: string;
}

const CASES: readonly Case[] = [
  // reads
  { sql: 'SELECT id, name FROM users', class: 'read', command: 'SELECT', read: ['users'], written: [], functions: [] },
  {
    sql: `SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id
          LEFT JOIN sales.regions r ON r.id = c.region_id
          WHERE o.total > (SELECT avg(total) FROM orders)
            AND EXISTS (SELECT 1 FROM refunds f WHERE f.order_id = o.id)`,
    class: 'read',
    read: ['orders', 'customers', 'sales.regions', 'refunds'],
    written: [],
    functions: ['avg'],
  },
  { sql: 'SELECT * FROM db.s.t', class: 'read', read: ['db.s.t'] },
  { sql: 'SELECT * FROM MixedCase', class: 'read', read: ['mixedcase'] },
  {
    sql: '/* leading */ SELECT "Col" FROM "Weird"."Table" w -- trailing\n WHERE w."Col" = 1',
    class: 'read',
    read: ['Weird.Table'],
    // The parser starts a statement after its leading comments; trailing ones stay with it.
    text: 'SELECT "Col" FROM "Weird"."Table" w -- trailing\n WHERE w."Col" = 1',
  },
  { sql: 'VALUES (1), (2)', class: 'read', command: 'SELECT', read: [] },
  { sql: 'TABLE t', class: 'read', read: ['t'] },
  { sql: 'SHOW search_path', class: 'read', command: 'SHOW' },
  { sql: 'SELECT extract(year FROM now()), pg_catalog.lower(x) FROM t', class: 'read', functions: ['extract', 'now', 'pg_catalog.lower'] },
  {
    sql: 'SELECT now() AT TIME ZONE \'UTC\', substring(x FROM 2), trim(x) FROM t',
    class: 'read',
    functions: ['now', 'timezone', 'substring', 'btrim'],
  },
  { sql: 'SELECT pg_advisory_lock(42)', class: 'read', functions: ['pg_advisory_lock'] },
  // CTE names are not tables, but only where they are in scope
  { sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r', class: 'read', read: [] },
  { sql: 'WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a, b', class: 'read', read: ['b'] },
  { sql: 'SELECT * FROM secret, (WITH secret AS (SELECT 1) SELECT * FROM secret) x', class: 'read', read: ['secret'] },
  { sql: 'WITH t AS (SELECT 1) SELECT * FROM public.t, t', class: 'read', read: ['public.t'] },
  // explain
  { sql: 'EXPLAIN SELECT * FROM t', class: 'read', command: 'EXPLAIN', read: ['t'] },
  { sql: 'EXPLAIN DELETE FROM t', class: 'read', command: 'EXPLAIN', read: ['t'], written: [] },
  { sql: 'EXPLAIN (ANALYZE false) DELETE FROM t', class: 'read', command: 'EXPLAIN' },
  { sql: 'EXPLAIN (ANALYZE off) DELETE FROM t', class: 'read' },
  { sql: 'EXPLAIN ANALYZE DELETE FROM t', class: 'write', command: 'EXPLAIN ANALYZE', read: [], written: ['t'] },
  { sql: 'EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1', class: 'write', command: 'EXPLAIN ANALYZE', written: ['t'] },
  { sql: 'EXPLAIN (ANALYZE off, ANALYZE) DELETE FROM t', class: 'write' },
  { sql: 'EXPLAIN (ANALYZE 1) DELETE FROM t', class: 'write' },
  { sql: 'EXPLAIN ANALYZE SELECT * FROM t', class: 'read', command: 'EXPLAIN ANALYZE' },
  { sql: 'EXPLAIN SELECT pg_read_file(\'/etc/passwd\')', class: 'read', functions: ['pg_read_file'] },
  { sql: 'EXPLAIN ANALYZE SELECT pg_read_file(\'/etc/passwd\')', class: 'unsafe' },
  // writes
  { sql: 'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', class: 'write', command: 'SELECT', read: [], written: ['t'] },
  {
    sql: 'SELECT * FROM a WHERE id IN (SELECT id FROM (WITH m AS (UPDATE b SET x = 1 RETURNING id) SELECT id FROM m) s)',
    class: 'write',
    read: ['a'],
    written: ['b'],
  },
  { sql: 'INSERT INTO t (a) SELECT a FROM staging WHERE ok', class: 'write', command: 'INSERT', read: ['staging'], written: ['t'] },
  { sql: 'INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 2', class: 'write', written: ['t'] },
  { sql: 'UPDATE t SET a = u.a FROM u WHERE t.id = u.id', class: 'write', command: 'UPDATE', read: ['u'], written: ['t'] },
  { sql: 'DELETE FROM s.t WHERE id = 1', class: 'write', command: 'DELETE', written: ['s.t'] },
  {
    sql: 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)',
    class: 'write',
    command: 'MERGE',
    read: ['s'],
    written: ['t'],
  },
  { sql: 'SELECT * INTO n FROM t', class: 'write', command: 'SELECT INTO', read: ['t'], written: ['n'] },
  { sql: 'SELECT 1 AS a INTO n UNION SELECT 2', class: 'write', command: 'SELECT INTO', written: ['n'] },
  { sql: 'CREATE TABLE n AS SELECT * FROM t', class: 'write', command: 'CREATE TABLE AS', read: ['t'], written: ['n'] },
  { sql: 'CREATE TABLE n AS EXECUTE p', class: 'write', executes: 'p' },
  { sql: 'SELECT * FROM t FOR UPDATE', class: 'write', command: 'SELECT', read: ['t'] },
  { sql: 'SELECT * FROM t FOR KEY SHARE', class: 'write' },
  { sql: 'COPY t FROM STDIN', class: 'write', command: 'COPY', read: [], written: ['t'] },
  { sql: 'COPY t TO STDOUT', class: 'read', command: 'COPY', read: ['t'], written: [] },
  { sql: 'COPY (SELECT a FROM u) TO STDOUT WITH (FORMAT csv)', class: 'read', read: ['u'] },
  { sql: 'COPY (DELETE FROM u RETURNING *) TO STDOUT', class: 'write', written: ['u'] },
  { sql: 'SELECT nextval(\'s\')', class: 'write', functions: ['nextval'] },
  { sql: 'SELECT setval(\'s\', 10)', class: 'write' },
  { sql: 'SELECT lo_unlink(1234)', class: 'write' },
  { sql: 'SELECT pg_notify(\'ch\', \'x\')', class: 'write' },
  { sql: 'NOTIFY ch', class: 'write', command: 'NOTIFY' },
  { sql: 'TRUNCATE a, b.c', class: 'write', command: 'TRUNCATE', read: [], written: ['a', 'b.c'] },
  { sql: 'LOCK TABLE a IN ACCESS SHARE MODE', class: 'write', command: 'LOCK TABLE', written: ['a'] },
  { sql: 'CALL proc()', class: 'write', command: 'CALL', functions: ['proc'] },
  { sql: 'CALL s.proc(1)', class: 'write', functions: ['s.proc'] },
  { sql: 'REFRESH MATERIALIZED VIEW mv', class: 'write', command: 'REFRESH MATERIALIZED VIEW', written: ['mv'] },
  // transactions, cursors, prepared statements, session
  { sql: 'BEGIN', class: 'read', command: 'BEGIN' },
  { sql: 'START TRANSACTION ISOLATION LEVEL SERIALIZABLE', class: 'read', command: 'START TRANSACTION' },
  { sql: 'COMMIT', class: 'read', command: 'COMMIT' },
  { sql: 'ROLLBACK', class: 'read', command: 'ROLLBACK' },
  { sql: 'SAVEPOINT a', class: 'read', command: 'SAVEPOINT' },
  { sql: 'RELEASE SAVEPOINT a', class: 'read', command: 'RELEASE' },
  { sql: 'ROLLBACK TO SAVEPOINT a', class: 'read', command: 'ROLLBACK TO SAVEPOINT' },
  { sql: 'PREPARE TRANSACTION \'x\'', class: 'admin', command: 'PREPARE TRANSACTION' },
  { sql: 'COMMIT PREPARED \'x\'', class: 'admin', command: 'COMMIT PREPARED' },
  { sql: 'DECLARE c CURSOR FOR SELECT * FROM t', class: 'read', command: 'DECLARE CURSOR', read: ['t'] },
  { sql: 'DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE', class: 'write' },
  { sql: 'FETCH 10 FROM c', class: 'read', command: 'FETCH' },
  { sql: 'MOVE c', class: 'read', command: 'MOVE' },
  { sql: 'CLOSE c', class: 'read', command: 'CLOSE' },
  { sql: 'PREPARE p AS DELETE FROM t WHERE id = $1', class: 'write', command: 'PREPARE', written: ['t'], prepares: 'p' },
  { sql: 'PREPARE q AS SELECT * FROM t', class: 'read', prepares: 'q' },
  { sql: 'EXECUTE p(1)', class: 'read', command: 'EXECUTE', executes: 'p' },
  { sql: 'EXPLAIN ANALYZE EXECUTE p', class: 'read', command: 'EXPLAIN ANALYZE', executes: 'p' },
  { sql: 'DEALLOCATE p', class: 'read', command: 'DEALLOCATE' },
  { sql: 'LISTEN ch', class: 'read', command: 'LISTEN' },
  { sql: 'UNLISTEN *', class: 'read', command: 'UNLISTEN' },
  { sql: 'DISCARD PLANS', class: 'read', command: 'DISCARD' },
  { sql: 'DISCARD ALL', class: 'admin', command: 'DISCARD' },
  { sql: 'SET search_path = app, public', class: 'read', command: 'SET' },
  { sql: 'SET LOCAL statement_timeout = \'5s\'', class: 'read' },
  { sql: 'SET application_name TO \'psql\'', class: 'read' },
  { sql: 'SET DateStyle = ISO', class: 'read' },
  { sql: 'SET TIME ZONE \'UTC\'', class: 'read' },
  { sql: 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', class: 'read', command: 'SET TRANSACTION' },
  { sql: 'RESET statement_timeout', class: 'read', command: 'RESET' },
  { sql: 'RESET ALL', class: 'read', command: 'RESET' },
  { sql: 'SET CONSTRAINTS ALL DEFERRED', class: 'read', command: 'SET CONSTRAINTS' },
  { sql: 'SELECT set_config(\'search_path\', \'app\', false)', class: 'read', functions: ['set_config'] },
  // admin
  { sql: 'SET ROLE admin', class: 'unsafe', command: 'SET ROLE' },
  { sql: 'SET LOCAL ROLE NONE', class: 'unsafe', command: 'SET ROLE' },
  { sql: 'SET "ROLE" TO admin', class: 'unsafe' },
  { sql: 'RESET ROLE', class: 'unsafe', command: 'RESET ROLE' },
  { sql: 'SET SESSION AUTHORIZATION postgres', class: 'unsafe', command: 'SET SESSION AUTHORIZATION' },
  { sql: 'SET SESSION AUTHORIZATION DEFAULT', class: 'unsafe' },
  { sql: 'RESET SESSION AUTHORIZATION', class: 'unsafe', command: 'RESET SESSION AUTHORIZATION' },
  { sql: 'SET session_replication_role = replica', class: 'admin' },
  { sql: 'SET log_statement = \'none\'', class: 'admin' },
  { sql: 'SET app.tenant_id = \'7\'', class: 'admin' },
  { sql: 'SELECT set_config(\'role\', \'x\', false)', class: 'unsafe', functions: ['set_config'] },
  { sql: 'SELECT pg_catalog.set_config(\'ROLE\', \'x\', true)', class: 'unsafe' },
  { sql: 'SELECT set_config($1, \'x\', false)', class: 'unsafe' },
  { sql: 'SELECT * FROM t WHERE a = (SELECT set_config(\'session_authorization\', \'x\', false))', class: 'unsafe' },
  { sql: 'SELECT pg_read_file(\'/etc/passwd\')', class: 'unsafe', functions: ['pg_read_file'] },
  { sql: 'SELECT pg_catalog.pg_read_file(\'/etc/passwd\')', class: 'unsafe', functions: ['pg_catalog.pg_read_file'] },
  { sql: 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity', class: 'unsafe', read: ['pg_stat_activity'] },
  { sql: 'SELECT lo_import(\'/etc/passwd\')', class: 'unsafe' },
  { sql: 'SELECT * FROM dblink(\'host=x\', \'select 1\') AS r(a int)', class: 'unsafe', functions: ['dblink'] },
  { sql: 'SELECT * FROM pg_ls_dir(\'.\') AS f(name)', class: 'unsafe', functions: ['pg_ls_dir'] },
  { sql: 'SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE lo_export(u.oid, \'/tmp/x\') > 0)', class: 'unsafe' },
  { sql: 'DROP PUBLICATION p', class: 'admin', command: 'DROP PUBLICATION' },
  { sql: 'ALTER DATABASE app OWNER TO bob', class: 'admin', command: 'ALTER DATABASE' },
  // SQL text in a string literal is classified as if written out; its tables count.
  { sql: 'SELECT query_to_xml(\'select * from secret\', true, false, \'\')', class: 'read', read: ['secret'] },
  { sql: 'SELECT query_to_xml(\'select pg_read_file(\'\'/etc/passwd\'\')\', true, false, \'\')', class: 'unsafe' },
  { sql: 'SELECT query_to_xml($1, true, false, \'\')', class: 'unsafe' },
  { sql: 'COPY t TO \'/tmp/x\'', class: 'unsafe', command: 'COPY', read: ['t'] },
  { sql: 'COPY t FROM \'/tmp/x\'', class: 'unsafe', written: ['t'] },
  { sql: 'COPY t FROM PROGRAM \'x\'', class: 'unsafe' },
  { sql: 'COPY (SELECT 1) TO PROGRAM \'x\'', class: 'unsafe' },
  { sql: 'GRANT SELECT ON t TO bob', class: 'admin', command: 'GRANT', written: ['t'] },
  { sql: 'REVOKE ALL ON t FROM bob', class: 'admin', command: 'REVOKE' },
  { sql: 'GRANT admin TO bob', class: 'admin', command: 'GRANT' },
  { sql: 'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO bob', class: 'admin', command: 'ALTER DEFAULT PRIVILEGES' },
  { sql: 'CREATE ROLE bob LOGIN', class: 'admin', command: 'CREATE ROLE' },
  { sql: 'CREATE USER bob', class: 'admin', command: 'CREATE USER' },
  { sql: 'ALTER ROLE bob SUPERUSER', class: 'admin', command: 'ALTER ROLE' },
  { sql: 'ALTER ROLE bob SET search_path = x', class: 'admin', command: 'ALTER ROLE' },
  { sql: 'DROP ROLE bob', class: 'admin', command: 'DROP ROLE' },
  { sql: 'DROP OWNED BY bob', class: 'admin' },
  { sql: 'ALTER SYSTEM SET work_mem = \'1GB\'', class: 'unsafe', command: 'ALTER SYSTEM' },
  { sql: 'ALTER DATABASE app SET search_path = x', class: 'admin', command: 'ALTER DATABASE' },
  { sql: 'CREATE DATABASE other', class: 'admin', command: 'CREATE DATABASE' },
  { sql: 'DROP DATABASE other', class: 'admin', command: 'DROP DATABASE' },
  { sql: 'CREATE EXTENSION dblink', class: 'unsafe', command: 'CREATE EXTENSION' },
  { sql: 'DROP EXTENSION dblink', class: 'admin', command: 'DROP EXTENSION' },
  { sql: 'LOAD \'auto_explain\'', class: 'unsafe', command: 'LOAD' },
  { sql: 'CHECKPOINT', class: 'admin', command: 'CHECKPOINT' },
  { sql: 'SECURITY LABEL ON TABLE t IS \'secret\'', class: 'admin', command: 'SECURITY LABEL' },
  { sql: 'CREATE PUBLICATION p FOR ALL TABLES', class: 'admin', command: 'CREATE PUBLICATION' },
  { sql: 'CREATE SUBSCRIPTION s CONNECTION \'host=x\' PUBLICATION p', class: 'unsafe', command: 'CREATE SUBSCRIPTION' },
  { sql: 'CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw', class: 'unsafe', command: 'CREATE SERVER' },
  { sql: 'ALTER ROLE bob RENAME TO robert', class: 'admin', command: 'ALTER ROLE' },
  { sql: 'CREATE SCHEMA s CREATE TABLE t (a int) GRANT SELECT ON t TO bob', class: 'admin', command: 'CREATE SCHEMA' },
  { sql: 'DO LANGUAGE plpython3u $$ import os $$', class: 'unsafe', command: 'DO' },
  { sql: 'CREATE FUNCTION f() RETURNS int LANGUAGE c AS \'lib\', \'f\'', class: 'unsafe', command: 'CREATE FUNCTION' },
  // a function body that will call an admin function whenever the function is used
  {
    sql: 'CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT pg_read_file(\'/etc/passwd\'); END',
    class: 'unsafe',
  },
  { sql: 'CREATE VIEW v AS SELECT pg_read_file(\'/etc/passwd\')', class: 'unsafe', command: 'CREATE VIEW' },
  // ddl
  { sql: 'DO $$ BEGIN DELETE FROM t; END $$', class: 'unsafe', command: 'DO' },
  {
    sql: 'CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN a + b; END $$',
    class: 'ddl',
    command: 'CREATE FUNCTION',
  },
  { sql: 'CREATE FUNCTION one() RETURNS int RETURN 1', class: 'ddl' },
  { sql: 'CREATE PROCEDURE p() LANGUAGE sql AS $$ DELETE FROM t $$', class: 'ddl', command: 'CREATE PROCEDURE' },
  { sql: 'DROP TABLE a, s.b', class: 'ddl', command: 'DROP TABLE', written: ['a', 's.b'] },
  { sql: 'DROP SCHEMA s CASCADE', class: 'ddl', command: 'DROP SCHEMA', written: [] },
  { sql: 'ALTER TABLE t OWNER TO bob', class: 'ddl', command: 'ALTER TABLE' },
  { sql: 'DROP FUNCTION f(int)', class: 'ddl', command: 'DROP FUNCTION', written: [] },
  { sql: 'CREATE TABLE t (id int PRIMARY KEY, p int REFERENCES parent)', class: 'ddl', command: 'CREATE TABLE', read: ['parent'], written: ['t'] },
  { sql: 'ALTER TABLE t ADD COLUMN x int', class: 'ddl', command: 'ALTER TABLE', written: ['t'] },
  { sql: 'ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1)', class: 'ddl', written: ['p', 'c'] },
  { sql: 'ALTER TABLE t RENAME COLUMN a TO b', class: 'ddl', command: 'ALTER TABLE', written: ['t'] },
  { sql: 'ALTER MATERIALIZED VIEW mv RENAME TO mv2', class: 'ddl', command: 'ALTER MATERIALIZED VIEW' },
  { sql: 'CREATE INDEX i ON t (a)', class: 'ddl', command: 'CREATE INDEX', written: ['t'] },
  { sql: 'CREATE VIEW v AS SELECT * FROM t', class: 'ddl', command: 'CREATE VIEW', read: ['t'], written: ['v'] },
  { sql: 'CREATE MATERIALIZED VIEW mv AS SELECT * FROM t', class: 'ddl', command: 'CREATE MATERIALIZED VIEW' },
  { sql: 'CREATE SEQUENCE s', class: 'ddl', command: 'CREATE SEQUENCE', written: ['s'] },
  { sql: 'CREATE TYPE mood AS ENUM (\'sad\', \'ok\')', class: 'ddl', command: 'CREATE TYPE' },
  { sql: 'CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()', class: 'ddl', command: 'CREATE TRIGGER' },
  { sql: 'CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM u', class: 'ddl', command: 'CREATE RULE' },
  { sql: 'COMMENT ON TABLE t IS \'x\'', class: 'ddl', command: 'COMMENT' },
  { sql: 'CREATE SCHEMA s', class: 'ddl', command: 'CREATE SCHEMA' },
  { sql: 'VACUUM t', class: 'ddl', command: 'VACUUM', written: ['t'] },
  { sql: 'VACUUM', class: 'ddl', command: 'VACUUM' },
  { sql: 'ANALYZE t', class: 'ddl', command: 'ANALYZE' },
  { sql: 'CLUSTER t USING i', class: 'ddl', command: 'CLUSTER' },
  { sql: 'REINDEX TABLE t', class: 'ddl', command: 'REINDEX' },
];

function only(sql: string): StatementInfo {
  const result = classifySql(sql);
  if (!result.ok) throw new Error(`expected ${sql} to parse, got: ${result.error}`);
  expect(result.statements).toHaveLength(1);
  return result.statements[0]!;
}

describe('classifySql', () => {
  for (const c of CASES) {
    it(`${c.class.padEnd(5)} ${c.sql.replace(/\s+/g, ' ')}`, () => {
      const info = only(c.sql);
      expect(info.class).toBe(c.class);
      if (c.command !== undefined) expect(info.command).toBe(c.command);
      if (c.read !== undefined) expect(info.tablesRead).toEqual(c.read);
      if (c.written !== undefined) expect(info.tablesWritten).toEqual(c.written);
      if (c.functions !== undefined) expect(info.functions).toEqual(c.functions);
      expect(info.executes).toBe(c.executes);
      expect(info.prepares).toBe(c.prepares);
      expect(info.text).toBe(c.text ?? c.sql.trim());
    });
  }

  it('splits a simple-query batch into statements with their own texts', () => {
    const result = classifySql('SELECT 1;  DELETE FROM t WHERE a = \'é€\' ;\n-- done\n');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.statements.map((s) => [s.class, s.command, s.text])).toEqual([
      ['read', 'SELECT', 'SELECT 1'],
      ['write', 'DELETE', 'DELETE FROM t WHERE a = \'é€\''],
    ]);
  });

  it('slices texts by UTF-8 byte offsets when earlier statements hold multi-byte characters', () => {
    const result = classifySql('SELECT \'日本語\'; SELECT \'ü\' AS x; TRUNCATE t');
    if (!result.ok) throw new Error(result.error);
    expect(result.statements.map((s) => s.text)).toEqual(['SELECT \'日本語\'', 'SELECT \'ü\' AS x', 'TRUNCATE t']);
  });

  it('returns zero statements for empty, blank and comment-only text', () => {
    for (const sql of ['', '   \n', '-- nothing', '/* a */ ;;']) {
      expect(classifySql(sql)).toEqual({ ok: true, statements: [] });
    }
  });

  it('reports a parse error with message and 1-based character position', () => {
    expect(classifySql('SELECT * FROM t WHERE')).toEqual({ ok: false, error: 'syntax error at end of input', position: 22 });
    expect(classifySql('SELECT \'é\' FRM x')).toEqual({ ok: false, error: 'syntax error at or near "x"', position: 16 });
  });

  it('fails the whole batch when any statement does not parse', () => {
    const result = classifySql('SELECT 1; DELETE FRM t');
    expect(result.ok).toBe(false);
  });

  it('refuses text with a NUL character, which the parser would cut short', () => {
    const result = classifySql('SELECT 1\0; DROP TABLE t');
    expect(result.ok).toBe(false);
  });

  it('refuses text with an unpaired surrogate, which the parser would see as another character', () => {
    expect(classifySql('SELECT \'\ud83d\' FROM t').ok).toBe(false);
    expect(classifySql('SELECT \'\u{1F600}\' FROM t').ok).toBe(true);
  });

  it('lists tables and functions in text order without duplicates', () => {
    const info = only('SELECT lower(a.x), upper(b.y), lower(c.z) FROM b, a JOIN c ON true, b AS again');
    expect(info.tablesRead).toEqual(['b', 'a', 'c']);
    expect(info.functions).toEqual(['lower', 'upper']);
  });

  it('takes the most privileged class over everything in one statement', () => {
    const info = only('WITH x AS (INSERT INTO log VALUES (1) RETURNING *) SELECT pg_read_file(\'f\'), * FROM x');
    expect(info.class).toBe('unsafe');
    expect(info.tablesWritten).toEqual(['log']);
    expect(info.tablesRead).toEqual([]);
  });
});

describe('classifyStatement on trees the parser does not produce today', () => {
  it('treats an unknown statement type as unsafe', () => {
    const info = classifyStatement({ FancyNewStmt: { relation: { relname: 't' } } }, 'FANCY t');
    expect(info).toMatchObject({ class: 'unsafe', command: 'UNKNOWN (FancyNewStmt)', tablesRead: ['t'] });
  });

  it('treats an unknown statement nested anywhere as unsafe', () => {
    const info = classifyStatement({ SelectStmt: { targetList: [{ ResTarget: { val: { FancyNewStmt: {} } } }] } }, 'x');
    expect(info.class).toBe('unsafe');
    expect(info.unsafeReasons).toEqual(['the statement type FancyNewStmt is not one Stint recognises']);
    expect(info.command).toBe('SELECT');
  });

  it('still sees struct fields if the parser wraps them', () => {
    const copy = classifyStatement({ CopyStmt: { relation: { RangeVar: { relname: 't' } }, is_from: true } }, 'COPY');
    expect(copy).toMatchObject({ class: 'write', tablesWritten: ['t'] });
    const cte = { CommonTableExpr: { ctename: 'd', ctequery: { DeleteStmt: { relation: { relname: 't' } } } } };
    const select = classifyStatement(
      { SelectStmt: { withClause: { WithClause: { ctes: [cte] } }, fromClause: [{ RangeVar: { relname: 'd' } }] } },
      'WITH',
    );
    expect(select).toMatchObject({ class: 'write', tablesRead: [], tablesWritten: ['t'] });
  });

  it('treats a node of unexpected shape as unsafe', () => {
    expect(classifyStatement({}, '').class).toBe('unsafe');
    expect(classifyStatement({ SelectStmt: 'nonsense' }, '').class).toBe('unsafe');
  });
});
