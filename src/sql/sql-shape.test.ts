import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sqlShape } from './sql-shape.ts';

const key = (sql: string): string | undefined => sqlShape(sql)?.key;

describe('sqlShape', () => {
  it.each([
    ['SELECT * FROM t WHERE id = 1', "SELECT * FROM t WHERE id = ?i"],
    ["SELECT 'a', E'b', U&'c', N'd', B'01', X'ff', $$e$$, $q$f$q$", "SELECT '?', E'?', U&'?', N'?', B'?', X'?', '?', '?'"],
    ['SELECT 1, 1.5, .5, 5., 1e3, 2147483647, 2147483648, 0002147483647', 'SELECT ?i, ?f, ?f, ?f, ?f, ?i, ?f, ?i'],
    ['select  "Weird ""Name""" ,\n\tx::int  -- c\n/* d /* nested */ */ FROM  s.t', 'select "Weird ""Name""" , x::int FROM s.t'],
    ['SELECT $1, $2::text', 'SELECT $1, $2::text'],
    ['SELECT a/**/b', 'SELECT a b'],
    ['SELECT 1 <-- 2', 'SELECT ?i <'],
    ['SELECT 1;SELECT 2 ;', 'SELECT ?i;SELECT ?i ;'],
    ['', ''],
  ])('%s', (sql, expected) => {
    expect(key(sql)).toBe(expected);
  });

  it('gives one key to texts that differ only in literals, comments and whitespace', () => {
    expect(key("SELECT * FROM t WHERE id = 1 AND n = 'x'")).toBe(key("SELECT  *  FROM t /* c */ WHERE id = 42 AND n = 'other ''quoted'''"));
    expect(key('SELECT 1')).not.toBe(key('SELECT 1.5'));
    expect(key("SELECT 'a'")).not.toBe(key("SELECT E'a'"));
    expect(key('SELECT a')).not.toBe(key('SELECT A'));
  });

  it('locates literals and statements', () => {
    const shape = sqlShape("/* c */ SELECT 'x' ; -- y\n UPDATE t SET a = 10 ");
    expect(shape?.literals.map((l) => [l.kind, l.start, l.end])).toEqual([
      ['string', 15, 18],
      ['int', 44, 46],
    ]);
    expect(shape?.statements).toEqual([
      { start: 8, end: 19 },
      { start: 27, end: 47 },
    ]);
  });

  it.each([
    ["SELECT E'a\\nb'", 'a backslash escape'],
    ["SELECT U&'\\0061'", 'a Unicode escape'],
    ["SELECT U&'a!0061' UESCAPE '!'", 'UESCAPE'],
    ['SELECT U&"a!0061" UESCAPE \'!\'', 'UESCAPE on a name'],
    ["SELECT 'a'\n'b'", 'adjacent strings'],
    ["SELECT B'012'", 'a bad bit string'],
    ["SELECT X'fg'", 'a bad hex string'],
    ['SELECT 0x1F', 'a hexadecimal number'],
    ['SELECT 1_000', 'an underscore in a number'],
    ['SELECT 1..2', 'two points'],
    ['SELECT 1e', 'an exponent without digits'],
    ["SELECT 'open", 'an unterminated string'],
    ['SELECT $$open', 'an unterminated dollar quote'],
    ['SELECT "open', 'an unterminated name'],
    ['SELECT 1 /* open', 'an unterminated comment'],
  ])('gives up on %s (%s)', (sql) => {
    expect(sqlShape(sql)).toBeUndefined();
  });

  it('never throws, and keys every text it accepts to no longer than the text and a placeholder per literal', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (sql) => {
        const shape = sqlShape(sql);
        if (shape === undefined) return;
        expect(shape.key.length).toBeLessThanOrEqual(sql.length + 6 * shape.literals.length);
        for (const statement of shape.statements) expect(statement.start).toBeLessThanOrEqual(statement.end);
      }),
      { numRuns: 2000 },
    );
  });
});
