import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classificationCache, classifySql, classifySqlFresh, loadSqlParser } from './classify-sql.ts';
import { ClassificationCache } from './classify-cache.ts';
import { BENIGN_CORPUS } from './corpus/benign-corpus.ts';
import { EVASION_CORPUS } from './corpus/evasion-corpus.ts';
import { unreadableText } from './sql-parser.ts';
import { sqlShape, type LiteralKind } from './sql-shape.ts';
import { classifySqlTracked } from './classify-sql.ts';

beforeAll(async () => {
  await loadSqlParser();
});

beforeEach(() => {
  classificationCache.clear();
});

/** Literal values that change classifications when they are read. */
const TELLING = ['role', 'ROLE', 'session_authorization', 'work_mem', 'statement_timeout', 'transaction_read_only', 'app.x', '/etc/passwd', 'on', 'off', '0', '1', 'true', 'false', 'sql', 'plpython3u', 'c', 'pg_read_file', 'select 1', 'delete from t', 'select pg_read_file(\'x\')', ''];

const text = fc.oneof(fc.constantFrom(...TELLING), fc.string({ maxLength: 6 }));
const quoted = (s: string): string => `'${s.replaceAll('\'', '\'\'')}'`;

function literal(kind: LiteralKind): fc.Arbitrary<string> {
  switch (kind) {
    case 'string':
      return fc.oneof(text.map(quoted), text.filter((s) => !s.includes('$')).map((s) => `$q$${s}$q$`));
    case 'estring':
      return text.filter((s) => !s.includes('\\')).map((s) => `E${quoted(s)}`);
    case 'ustring':
      return text.filter((s) => !s.includes('\\')).map((s) => `U&${quoted(s)}`);
    case 'nstring':
      return text.map((s) => `N${quoted(s)}`);
    case 'bits':
      return fc.stringMatching(/^[01]{0,6}$/).map((s) => `B'${s}'`);
    case 'hexbits':
      return fc.stringMatching(/^[0-9a-f]{0,4}$/).map((s) => `X'${s}'`);
    case 'int':
      return fc.oneof(fc.constantFrom('0', '1', '2147483647', '2147483648', '007'), fc.nat().map(String));
    case 'float':
      return fc.oneof(fc.constantFrom('0.0', '1.5', '1e3', '99999999999'), fc.tuple(fc.nat(99), fc.nat(99)).map(([a, b]) => `${a}.${b}`));
  }
}

/** The text with every literal replaced by a generated one of the same kind (or, sometimes, any kind). */
function variants(sql: string): fc.Arbitrary<string> {
  const shape = sqlShape(sql);
  if (shape === undefined || shape.literals.length === 0) return fc.constant(sql);
  const kinds: LiteralKind[] = ['string', 'estring', 'int', 'float', 'bits'];
  const each = shape.literals.map((l) => fc.oneof({ weight: 9, arbitrary: literal(l.kind) }, { weight: 1, arbitrary: fc.constantFrom(...kinds).chain(literal) }));
  return fc.tuple(...each, fc.constantFrom(' ', '  ', '\n', ' /* c */ ', ' -- c\n')).map((parts) => {
    const gap = parts.pop()!;
    let out = '';
    let at = 0;
    shape.literals.forEach((l, index) => {
      out += sql.slice(at, l.start) + parts[index]!;
      at = l.end;
    });
    return gap + out + sql.slice(at) + gap;
  });
}

const CORPUS = [...new Set([...EVASION_CORPUS.map((c) => c.sql), ...BENIGN_CORPUS.map((c) => c.sql)])];

const GENERATED: readonly string[] = [
  "SELECT set_config('work_mem', '64MB', false)",
  "SET statement_timeout = '5s'",
  'SET statement_timeout = 5000',
  "COPY t TO '/tmp/x'",
  'EXPLAIN (ANALYZE 0) DELETE FROM t WHERE id = 1',
  "EXPLAIN (ANALYZE 'off') DELETE FROM t",
  "DO LANGUAGE 'plpgsql' 'BEGIN NULL; END'",
  "CREATE FUNCTION f() RETURNS int LANGUAGE 'sql' AS 'select 1'",
  "SELECT query_to_xml('select 1', true, false, '')",
  "SELECT 'pg_read_file'::regproc, id FROM t WHERE a = 1 AND b = 'x' LIMIT 10",
  "SELECT * FROM t WHERE id = 1; UPDATE t SET a = 'x' WHERE id = 2; SELECT 1.5",
  "SELECT B'101', X'ff', N'x', E'y', U&'z'",
  'BEGIN; SET LOCAL statement_timeout = 0; COMMIT',
  "SELECT * FROM t WHERE a = '' AND b <> 'x' LIMIT 0 OFFSET 5",
  'EXPLAIN (ANALYZE 1) DELETE FROM t WHERE id = 2',
  'SET transaction_read_only = 1',
  "SELECT set_config('transaction_read_only', 'on', 'true')",
  "COPY t FROM STDIN WITH (FORMAT 'csv', DELIMITER ',')",
  "CREATE FUNCTION f() RETURNS int SECURITY DEFINER LANGUAGE 'sql' AS 'select 1'",
  "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS 'select pg_read_file(''x'')'",
  "SELECT * FROM dblink('host=x', 'select 1') AS r(a int) WHERE a > 2.5",
  "SELECT ts_stat('select to_tsvector(body) from docs')",
  "SELECT lo_import('/tmp/x', 42), lo_create(0)",
];

describe('the classification cache', () => {
  it('gives exactly what a fresh classification gives, for corpus and generated statements with any literals', () => {
    const texts = [...CORPUS, ...GENERATED].filter((sql) => unreadableText(sql) === undefined);
    fc.assert(
      fc.property(
        fc.constantFrom(...texts).chain((sql) => fc.array(variants(sql), { minLength: 3, maxLength: 6 })),
        (batch) => {
          classificationCache.clear();
          for (const sql of batch) expect(classifySql(sql)).toEqual(classifySqlFresh(sql));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('shares one entry between statements differing only in literals', () => {
    for (let i = 0; i < 10; i++) classifySql(`SELECT * FROM orders WHERE id = ${i} AND note = 'n${i}'`);
    const stats = classificationCache.stats();
    expect(stats.entries).toBe(1);
    expect(stats.hits).toBe(8);
    const result = classifySql('  /* why */ SELECT * FROM orders WHERE id = 99 AND note = \'x\'  -- end');
    expect(result).toEqual(classifySqlFresh('SELECT * FROM orders WHERE id = 99 AND note = \'x\'  -- end'));
    expect(classificationCache.stats().hits).toBe(9);
  });

  it('never shares a classification that read a literal', () => {
    for (let i = 0; i < 3; i++) expect(classifySql(`SELECT set_config('work_mem', '${i}MB', false)`).ok).toBe(true);
    const role = classifySql('SELECT set_config(\'role\', \'postgres\', false)');
    expect(role.ok && role.statements[0]!.class).toBe('unsafe');
    for (let i = 0; i < 3; i++) classifySql(`COPY t TO '/tmp/${i}'`);
    const copy = classifySql('COPY t TO \'/tmp/x\'');
    expect(copy.ok && copy.statements[0]!.unsafeReasons).toEqual(['COPY ... TO a file writes a file on the database server']);
    for (const v of ['1s', '2s', '3s']) classifySql(`SET statement_timeout = '${v}'`);
    const set = classifySql('SET statement_timeout = \'0\'');
    expect(set.ok && set.statements[0]!.settings).toEqual([{ name: 'statement_timeout', value: '0', via: 'set' }]);
    expect(classificationCache.stats().hits).toBe(0);
  });

  it('marks as literal-dependent exactly what was read', () => {
    const read = (sql: string): boolean => {
      const shape = sqlShape(sql);
      if (shape === undefined) throw new Error('no shape');
      return !classifySqlTracked(sql, shape).shareable;
    };
    expect(read('SELECT * FROM t WHERE id = 1')).toBe(false);
    expect(read('SELECT \'pg_read_file\'::regproc')).toBe(false);
    expect(read('SELECT set_config(\'work_mem\', \'1MB\', false)')).toBe(true);
    expect(read('EXPLAIN (ANALYZE 0) DELETE FROM t')).toBe(true);
    expect(read('COPY t TO STDOUT')).toBe(false);
    expect(read('COPY t TO \'/x\'')).toBe(true);
    expect(read('SET search_path = a')).toBe(false);
    expect(read('SET search_path = \'a\'')).toBe(true);
  });

  it('does not share shapes whose statements the scanner splits differently from the parser', () => {
    const sql = (n: number): string => `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT ${n}; SELECT 2; END`;
    for (let i = 0; i < 4; i++) expect(classifySql(sql(i))).toEqual(classifySqlFresh(sql(i)));
    expect(classificationCache.stats().hits).toBe(0);
  });

  it('never turns refused text into a hit', () => {
    for (let i = 0; i < 3; i++) classifySql(`SELECT 'a${i}'`);
    expect(classifySql('SELECT \'a\0\'').ok).toBe(false);
    expect(classifySql('SELECT \'\ud800\'').ok).toBe(false);
  });

  it('skips long texts and stays within its size', () => {
    const small = new ClassificationCache({ fresh: classifySqlFresh, tracked: classifySqlTracked, unreadable: unreadableText }, 3);
    for (let i = 0; i < 10; i++) small.classify(`SELECT * FROM t${i}`);
    expect(small.stats().entries).toBe(3);
    const long = `SELECT ${'1, '.repeat(5000)}1`;
    for (let i = 0; i < 3; i++) small.classify(long);
    expect(small.stats().hits).toBe(0);
  });
});

describe('the classification cache on deep trees', () => {
  it('answers like a fresh classification when the tree is too deep to track', () => {
    const deep = (n: number): string => `SELECT ${'('.repeat(900)}${n}${')'.repeat(900)}`;
    for (let i = 0; i < 4; i++) expect(classifySql(deep(i))).toEqual(classifySqlFresh(deep(i)));
  });
});
