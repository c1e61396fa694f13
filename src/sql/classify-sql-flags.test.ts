import { beforeAll, describe, expect, it } from 'vitest';
import { classifySql, loadSqlParser } from './classify-sql.ts';

beforeAll(async () => {
  await loadSqlParser();
});

interface FlagCase {
  readonly sql: string;
  readonly deleteWithoutWhere?: true;
  readonly updateWithoutWhere?: true;
  readonly truncates?: true;
}

/** The statement shapes guardrails can block, found wherever they are in the tree. */
const CASES: readonly FlagCase[] = [
  { sql: 'DELETE FROM t', deleteWithoutWhere: true },
  { sql: 'DELETE FROM t WHERE id = 1' },
  { sql: 'DELETE FROM t USING u', deleteWithoutWhere: true },
  { sql: 'DELETE FROM t RETURNING *', deleteWithoutWhere: true },
  { sql: 'UPDATE t SET a = 1', updateWithoutWhere: true },
  { sql: 'UPDATE t SET a = 1 WHERE id = 2' },
  { sql: 'UPDATE t SET a = 1 FROM u', updateWithoutWhere: true },
  { sql: 'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', deleteWithoutWhere: true },
  { sql: 'WITH d AS (DELETE FROM t WHERE x RETURNING *) SELECT * FROM d' },
  { sql: 'WITH u AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM u', updateWithoutWhere: true },
  { sql: 'SELECT * FROM (WITH d AS (DELETE FROM t RETURNING 1) SELECT * FROM d) s', deleteWithoutWhere: true },
  { sql: 'WITH d AS (DELETE FROM t RETURNING id) UPDATE u SET a = 1 WHERE id IN (SELECT id FROM d)', deleteWithoutWhere: true },
  { sql: 'EXPLAIN ANALYZE DELETE FROM t', deleteWithoutWhere: true },
  // A plain EXPLAIN only plans the statement.
  { sql: 'EXPLAIN DELETE FROM t' },
  { sql: 'EXPLAIN UPDATE t SET a = 1' },
  { sql: 'TRUNCATE t', truncates: true },
  { sql: 'TRUNCATE TABLE a, b CASCADE', truncates: true },
  { sql: 'SELECT * FROM t' },
  { sql: 'INSERT INTO t SELECT * FROM u' },
];

describe('statement flags for guardrails', () => {
  it.each(CASES)('$sql', (testCase) => {
    const result = classifySql(testCase.sql);
    if (!result.ok) throw new Error(result.error);
    const [info] = result.statements;
    expect({ deleteWithoutWhere: info?.deleteWithoutWhere, updateWithoutWhere: info?.updateWithoutWhere, truncates: info?.truncates }).toEqual({
      deleteWithoutWhere: testCase.deleteWithoutWhere,
      updateWithoutWhere: testCase.updateWithoutWhere,
      truncates: testCase.truncates,
    });
  });
});
