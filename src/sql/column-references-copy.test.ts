import { beforeAll, describe, expect, it } from 'vitest';
import { copyQueryText } from './column-references-copy.ts';
import { loadSqlParser } from './sql-parser.ts';

beforeAll(async () => {
  await loadSqlParser();
});

describe('copyQueryText', () => {
  it('cuts the query at the matching parenthesis, whatever strings and comments hold', () => {
    expect(copyQueryText("COPY (SELECT ')' AS x, (1) FROM t /* ) */) TO STDOUT WITH (FORMAT csv)")).toBe("SELECT ')' AS x, (1) FROM t /* ) */");
    expect(copyQueryText('copy ( select "a)b", ünï FROM t ) to stdout')).toBe(' select "a)b", ünï FROM t ');
  });

  it('says nothing for other statements', () => {
    expect(copyQueryText('COPY t TO STDOUT')).toBeUndefined();
    expect(copyQueryText('SELECT (1)')).toBeUndefined();
    expect(copyQueryText('COPY (SELECT 1')).toBeUndefined();
  });
});
