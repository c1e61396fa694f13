import { beforeAll, describe, expect, it } from 'vitest';
import { classifySql, loadSqlParser } from './classify-sql.ts';
import type { SettingChange, StatementInfo } from './sql-types.ts';

beforeAll(async () => {
  await loadSqlParser();
});

function only(sql: string): StatementInfo {
  const result = classifySql(sql);
  if (!result.ok) throw new Error(`expected ${sql} to parse, got: ${result.error}`);
  expect(result.statements).toHaveLength(1);
  return result.statements[0]!;
}

const CASES: readonly (readonly [string, readonly SettingChange[] | undefined])[] = [
  ['SET statement_timeout = \'5s\'', [{ name: 'statement_timeout', value: '5s', via: 'set' }]],
  ['SET statement_timeout = 5000', [{ name: 'statement_timeout', value: '5000', via: 'set' }]],
  ['SET Statement_Timeout TO 0', [{ name: 'statement_timeout', value: '0', via: 'set' }]],
  ['SET LOCAL statement_timeout = 1.5', [{ name: 'statement_timeout', value: '1.5', local: true, via: 'set' }]],
  ['SET statement_timeout = -1', [{ name: 'statement_timeout', value: '-1', via: 'set' }]],
  ['SET statement_timeout = DEFAULT', [{ name: 'statement_timeout', reset: true, via: 'set' }]],
  ['SET LOCAL statement_timeout TO DEFAULT', [{ name: 'statement_timeout', reset: true, local: true, via: 'set' }]],
  ['RESET statement_timeout', [{ name: 'statement_timeout', reset: true, via: 'reset' }]],
  ['RESET ALL', [{ name: undefined, reset: true, via: 'reset' }]],
  ['SET search_path = app, "Other", \'x y\'', [{ name: 'search_path', value: 'app, Other, x y', via: 'set' }]],
  ['SET TIME ZONE \'UTC\'', [{ name: 'timezone', value: 'UTC', via: 'set' }]],
  ['SET TIME ZONE INTERVAL \'+00:00\' HOUR TO MINUTE', [{ name: 'timezone', via: 'set' }]],
  ['SET NAMES \'utf8\'', [{ name: 'client_encoding', value: 'utf8', via: 'set' }]],
  ['SET enable_seqscan = on', [{ name: 'enable_seqscan', value: 'on', via: 'set' }]],
  ['SET ROLE NONE', [{ name: 'role', value: 'none', via: 'set' }]],
  [
    'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE',
    [
      { name: 'transaction_isolation', value: 'serializable', local: true, via: 'set' },
      { name: 'transaction_read_only', value: 'off', local: true, via: 'set' },
    ],
  ],
  ['SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY', [{ name: 'default_transaction_read_only', value: 'on', via: 'set' }]],
  ['SELECT set_config(\'statement_timeout\', \'0\', false)', [{ name: 'statement_timeout', value: '0', via: 'set_config' }]],
  ['SELECT pg_catalog.set_config(\'Work_Mem\', \'64MB\', true)', [{ name: 'work_mem', value: '64MB', local: true, via: 'set_config' }]],
  ['SELECT set_config(\'statement_timeout\', $1, false)', [{ name: 'statement_timeout', via: 'set_config' }]],
  ['SELECT set_config(\'statement_timeout\', \'0\', $1)', [{ name: 'statement_timeout', value: '0', via: 'set_config' }]],
  ['SELECT set_config(lower(\'X\'), \'0\', false)', [{ name: undefined, value: '0', via: 'set_config' }]],
  [
    'SELECT * FROM t WHERE a = (SELECT set_config(\'a\', \'1\', false)) AND set_config(\'b\', \'2\', true) IS NOT NULL',
    [
      { name: 'a', value: '1', via: 'set_config' },
      { name: 'b', value: '2', local: true, via: 'set_config' },
    ],
  ],
  // Other scopes than this session's: not reported.
  ['ALTER ROLE bob SET statement_timeout = 0', undefined],
  ['ALTER DATABASE d SET statement_timeout = 0', undefined],
  ['ALTER SYSTEM SET statement_timeout = 0', undefined],
  ['CREATE FUNCTION f() RETURNS int LANGUAGE sql SET statement_timeout = 0 AS $$ SELECT 1 $$', undefined],
  // A plain EXPLAIN runs nothing.
  ['EXPLAIN SELECT set_config(\'statement_timeout\', \'0\', false)', undefined],
  ['SELECT 1', undefined],
  ['SHOW statement_timeout', undefined],
];

describe('settings a statement changes', () => {
  it.each(CASES)('%s', (sql, settings) => {
    expect(only(sql).settings).toEqual(settings);
  });

  it('keeps the order of changes across a batch, one statement each', () => {
    const result = classifySql('SET a.b = 1; RESET a.b; SELECT set_config(\'c\', \'d\', false)');
    if (!result.ok) throw new Error(result.error);
    expect(result.statements.map((s) => s.settings?.map((c) => [c.name, c.via]))).toEqual([[['a.b', 'set']], [['a.b', 'reset']], [['c', 'set_config']]]);
  });
});

describe('statements that make transactions writable', () => {
  it.each([
    'BEGIN READ WRITE',
    'BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE',
    'START TRANSACTION READ ONLY, READ WRITE',
    'SET TRANSACTION READ WRITE',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE',
    'SET transaction_read_only = off',
    'SET default_transaction_read_only TO false',
    'SET LOCAL transaction_read_only = 0',
    'RESET default_transaction_read_only',
    'SET default_transaction_read_only = DEFAULT',
    'RESET ALL',
    'SELECT set_config(\'transaction_read_only\', \'off\', true)',
    'SELECT set_config(\'default_transaction_read_only\', $1, false)',
    'SELECT set_config($1, \'off\', false)',
  ])('%s', (sql) => {
    expect(only(sql).setsReadWrite).toBe(true);
  });

  it.each([
    'BEGIN',
    'BEGIN READ ONLY',
    'START TRANSACTION ISOLATION LEVEL REPEATABLE READ',
    'SET TRANSACTION READ ONLY',
    'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
    'SET default_transaction_read_only = on',
    'SET transaction_read_only TO true',
    'SELECT set_config(\'transaction_read_only\', \'on\', true)',
    'SET statement_timeout = 0',
    'COMMIT',
  ])('not %s', (sql) => {
    expect(only(sql).setsReadWrite).toBeUndefined();
  });
});
