import { beforeAll, describe, expect, it } from 'vitest';
import { classifySql, loadSqlParser } from './classify-sql.ts';
import type { StatementInfo } from './sql-types.ts';

beforeAll(async () => {
  await loadSqlParser();
});

function only(sql: string): StatementInfo {
  const result = classifySql(sql);
  if (!result.ok) throw new Error(`expected ${sql} to parse, got: ${result.error}`);
  expect(result.statements).toHaveLength(1);
  return result.statements[0]!;
}

/** Unsafe statements and a word their reason must contain. */
const UNSAFE: readonly (readonly [string, string])[] = [
  ['COPY t TO PROGRAM \'gzip > /tmp/t.gz\'', 'COPY ... PROGRAM runs a shell command'],
  ['COPY t FROM \'/etc/passwd\'', 'reads a file on the database server'],
  ['COPY t TO \'/tmp/out\'', 'writes a file on the database server'],
  ['SELECT pg_read_binary_file(\'global/pg_control\')', 'pg_read_binary_file() reads or writes files'],
  ['SELECT * FROM pg_stat_file(\'postgresql.conf\')', 'pg_stat_file()'],
  ['SELECT * FROM pg_ls_waldir()', 'pg_ls_waldir()'],
  ['SELECT * FROM pg_ls_somefuturedir()', 'pg_ls_somefuturedir()'],
  ['SELECT pg_file_write(\'x\', \'y\', false)', 'pg_file_write()'],
  ['SELECT lo_export(12345, \'/tmp/x\')', 'lo_export()'],
  ['SELECT dblink_exec(\'host=x\', \'DROP TABLE t\')', 'another database server'],
  ['SELECT pg_cancel_backend(42)', 'signals another session'],
  ['SELECT set_config(\'session_authorization\', \'postgres\', false)', 'session_authorization'],
  ['SELECT set_config(current_setting(\'x\'), \'y\', false)', 'not a string literal'],
  ['SET ROLE postgres', 'changes the database role'],
  ['SET session_preload_libraries = \'x\'', 'loads server-side libraries'],
  ['LOAD \'plugin\'', 'LOAD loads a library'],
  ['CREATE EXTENSION file_fdw', 'CREATE EXTENSION'],
  ['ALTER EXTENSION x UPDATE', 'ALTER EXTENSION'],
  ['ALTER SYSTEM SET log_statement = \'none\'', 'ALTER SYSTEM'],
  ['CREATE SERVER s FOREIGN DATA WRAPPER file_fdw', 'foreign data wrapper'],
  ['CREATE FOREIGN TABLE ft (a text) SERVER s OPTIONS (filename \'/etc/passwd\')', 'CREATE FOREIGN TABLE'],
  ['ALTER FOREIGN TABLE ft OPTIONS (SET filename \'/etc/shadow\')', 'ALTER FOREIGN TABLE'],
  ['CREATE USER MAPPING FOR CURRENT_USER SERVER s OPTIONS (user \'postgres\')', 'credentials'],
  ['IMPORT FOREIGN SCHEMA public FROM SERVER s INTO local', 'IMPORT FOREIGN SCHEMA'],
  ['CREATE FOREIGN DATA WRAPPER w', 'foreign data wrapper'],
  // Today's parser turns CREATE LANGUAGE into CREATE EXTENSION.
  ['CREATE LANGUAGE plpython3u', 'server-side code'],
  ['DO LANGUAGE plperlu $$ system("id") $$', 'language plperlu'],
  ['CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS $$ return 1 $$', 'CREATE FUNCTION in language plpython3u'],
  ['CREATE PROCEDURE p() LANGUAGE c AS \'lib\', \'p\'', 'CREATE PROCEDURE in language c'],
  ['SELECT query_to_xml(format(\'select %s\', 1), true, false, \'\')', 'not a string literal'],
  ['SELECT ts_stat(\'select pg_read_file(\'\'x\'\')::tsvector\')', 'pg_read_file()'],
  // An SQL function body in a string runs whenever the function is called.
  ['CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT pg_read_file(\'/etc/passwd\') $$', 'pg_read_file()'],
  ['CREATE VIEW v AS SELECT * FROM dblink(\'host=x\', \'select 1\') AS r(a int)', 'dblink()'],
  ['SELECT pg_background_launch(\'DROP TABLE t\')', 'background session'],
  ['SELECT cron.schedule(\'* * * * *\', \'DELETE FROM t\')', 'cron.schedule()'],
  // pg_settings has a rule that turns UPDATE into set_config().
  ['UPDATE pg_settings SET setting = \'postgres\' WHERE name = \'role\'', 'pg_settings'],
  ['UPDATE pg_catalog.pg_settings SET setting = \'0\' WHERE name = \'statement_timeout\'', 'pg_settings'],
  ['WITH x AS (UPDATE pg_settings SET setting = \'0\' WHERE name LIKE \'%timeout\' RETURNING 1) SELECT 1', 'pg_settings'],
];

describe('unsafe statements say why', () => {
  it.each(UNSAFE)('%s', (sql, reason) => {
    const info = only(sql);
    expect(info.class).toBe('unsafe');
    expect(info.unsafeReasons?.join(' | ')).toContain(reason);
    expect(info.opaqueCode).toBeUndefined();
  });

  it('reports every reason once, in the order found', () => {
    const info = only('SELECT pg_read_file(\'a\'), pg_read_file(\'b\'), pg_terminate_backend(1)');
    expect(info.unsafeReasons).toEqual(['pg_read_file() reads or writes files on the database server', 'pg_terminate_backend() signals another session on the database server']);
  });

  it('reports nothing unsafe under a plain EXPLAIN, which runs nothing', () => {
    const info = only('EXPLAIN SELECT pg_read_file(\'a\')');
    expect(info.class).toBe('read');
    expect(info.unsafeReasons).toBeUndefined();
  });

  it('classifies SQL in a query_to_xml literal like the statement itself', () => {
    const info = only('SELECT query_to_xml(\'select a from s.secret where b = 1\', true, false, \'\')');
    expect(info).toMatchObject({ class: 'read', tablesRead: ['s.secret'], functions: ['query_to_xml'] });
    expect(only('SELECT query_to_xml(\'delete from t\', true, false, \'\')')).toMatchObject({ class: 'write', tablesWritten: ['t'] });
  });

  it('classifies the query a two-argument ts_rewrite runs, so its tables count', () => {
    expect(only('SELECT ts_rewrite(\'a\'::tsquery, \'select t, s from s.secret\')')).toMatchObject({ class: 'read', tablesRead: ['s.secret'] });
    expect(only('SELECT ts_rewrite(\'a\'::tsquery, current_setting(\'x\'))').class).toBe('unsafe');
    // The three-argument form only substitutes one tsquery for another.
    expect(only('SELECT ts_rewrite(\'a\'::tsquery, \'a\'::tsquery, \'b\'::tsquery)')).toMatchObject({ class: 'read', tablesRead: [] });
  });

  it('treats query text that does not parse as unsafe', () => {
    expect(only('SELECT query_to_xml(\'select from where\', true, false, \'\')').class).toBe('unsafe');
  });

  it('reports a change of pg_settings as a change of an unknown setting', () => {
    const info = only('UPDATE pg_settings SET setting = \'0\' WHERE name = \'statement_timeout\'');
    expect(info.settings).toEqual([{ name: undefined, via: 'set_config' }]);
    expect(info.setsReadWrite).toBe(true);
    expect(only('UPDATE app.pg_settings SET setting = \'0\'').class).toBe('write');
  });

  it('keeps ordinary statements out of the unsafe class', () => {
    for (const sql of ['SELECT 1', 'SET ROLE_x = 1', 'SELECT pg_advisory_lock(1)', 'COPY t TO STDOUT', 'COPY t FROM STDIN', 'DROP EXTENSION x', 'DROP SERVER s', 'GRANT SELECT ON t TO bob']) {
      expect(only(sql).unsafeReasons, sql).toBeUndefined();
    }
  });
});

describe('opaque code', () => {
  it.each([
    ['DO $$ BEGIN PERFORM 1; END $$', 'do'],
    ['DO LANGUAGE plpgsql $$ BEGIN NULL; END $$', 'do'],
    ['CREATE FUNCTION f() RETURNS int SECURITY DEFINER LANGUAGE sql AS \'select 1\'', 'security_definer'],
    ['CREATE PROCEDURE p() LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN NULL; END $$', 'security_definer'],
    ['ALTER FUNCTION f() SECURITY DEFINER', 'security_definer'],
  ] as const)('%s is unsafe with opaqueCode %s', (sql, code) => {
    const info = only(sql);
    expect(info.class).toBe('unsafe');
    expect(info.opaqueCode).toBe(code);
    expect(info.unsafeReasons).toHaveLength(1);
  });

  it('does not offer a way in when anything else is unsafe too', () => {
    const definer = only('CREATE FUNCTION f() RETURNS text SECURITY DEFINER LANGUAGE sql AS $$ SELECT pg_read_file(\'x\') $$');
    expect(definer.opaqueCode).toBeUndefined();
    expect(definer.unsafeReasons).toHaveLength(2);
    const untrusted = only('DO LANGUAGE plpython3u $$ import os $$');
    expect(untrusted.opaqueCode).toBeUndefined();
  });

  it('leaves SECURITY INVOKER functions ddl', () => {
    expect(only('CREATE FUNCTION f() RETURNS int SECURITY INVOKER LANGUAGE sql AS \'select 1\'').class).toBe('ddl');
    expect(only('ALTER FUNCTION f() SECURITY INVOKER').class).toBe('ddl');
  });
});
