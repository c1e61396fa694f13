import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifySql, loadSqlParser } from './classify-sql.ts';
import type { Classification } from './sql-types.ts';

beforeAll(async () => {
  await loadSqlParser();
});

const CLASSES = new Set(['read', 'write', 'ddl', 'admin', 'unsafe']);

const SEEDS = [
  'SELECT a, b FROM t JOIN u ON t.id = u.id WHERE t.x > 10 ORDER BY a LIMIT 5',
  'WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d',
  'EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1 WHERE b IN (SELECT b FROM u)',
  'COPY (SELECT * FROM t) TO STDOUT WITH (FORMAT csv)',
  'INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a RETURNING *',
  'SELECT set_config(\'role\', \'x\', false); SET search_path = a; BEGIN; COMMIT',
  'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END',
  'DO $$ BEGIN PERFORM 1; END $$',
  'SELECT "Weird"."Col" FROM "Weird"."Table" /* c */ -- x\n',
  'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE',
];

/** Every ok result must be well formed: a known class, a command, texts taken from the input. */
function expectWellFormed(sql: string, result: Classification): void {
  if (!result.ok) {
    expect(typeof result.error).toBe('string');
    expect(result.error.length).toBeGreaterThan(0);
    return;
  }
  for (const statement of result.statements) {
    expect(CLASSES.has(statement.class)).toBe(true);
    expect(statement.command.length).toBeGreaterThan(0);
    expect(sql.includes(statement.text)).toBe(true);
    for (const name of [...statement.tablesRead, ...statement.tablesWritten, ...statement.functions]) {
      expect(typeof name).toBe('string');
    }
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 6 }) }),
  fc.record({
    kind: fc.constant('token' as const),
    at: fc.nat(),
    text: fc.constantFrom('(', ')', ';', '\'', '"', '$$', '--', '/*', '*/', ' DELETE ', ' WITH ', ' INTO ', '\\', 'é', '\u{1F600}'),
  }),
);

type Mutation = { kind: 'delete'; at: number; length: number } | { kind: 'insert' | 'token'; at: number; text: string };

function mutate(sql: string, steps: readonly Mutation[]): string {
  let out = sql;
  for (const step of steps) {
    const at = step.at % (out.length + 1);
    out = step.kind === 'delete' ? out.slice(0, at) + out.slice(at + step.length) : out.slice(0, at) + step.text + out.slice(at);
  }
  return out;
}

describe('classifySql under hostile input', () => {
  it('never throws on random text of any characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (sql) => {
        expectWellFormed(sql, classifySql(sql));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated valid SQL', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, steps) => {
        const sql = mutate(seed, steps);
        expectWellFormed(sql, classifySql(sql));
      }),
      { numRuns: 3000 },
    );
  });

  it('answers garbage with ok:false', () => {
    for (const sql of ['SELEC 1', 'DELETE', '\'unterminated', '$$ body', 'SELECT (((', '}{', 'DROP TABLE', 'WITH x AS (DELETE FROM t) ']) {
      const result = classifySql(sql);
      expect(result.ok, sql).toBe(false);
    }
  });

  it('fails closed, without throwing, on nesting too deep to walk or to parse', () => {
    const nested = (depth: number): string =>
      `SELECT * FROM t WHERE a IN ${'(SELECT a FROM t WHERE a IN '.repeat(depth)}(1)${')'.repeat(depth)}`;
    expect(classifySql(nested(50))).toMatchObject({ ok: true, statements: [{ class: 'read', tablesRead: ['t'] }] });
    expect(classifySql(nested(600))).toMatchObject({ ok: false, error: expect.stringMatching(/nests deeper than/) as unknown });
    expect(classifySql(nested(6000))).toMatchObject({ ok: false, error: expect.stringMatching(/memory exhausted/) as unknown });
    // The parser keeps working afterwards.
    expect(classifySql('SELECT 1').ok).toBe(true);
  });
});
