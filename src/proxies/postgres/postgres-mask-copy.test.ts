import { beforeAll, describe, expect, it } from 'vitest';
import { buildMaskSet } from '../../masking/mask-rules.ts';
import { loadSqlParser } from '../../sql/sql-parser.ts';
import type { CatalogTable } from './postgres-mask-catalog.ts';
import { copyTarget, maskCopyLine, planCopy } from './postgres-mask-copy.ts';

const TABLE: CatalogTable = {
  schema: 'public',
  table: 'customers',
  columns: new Map([[1, 'id'], [2, 'email'], [3, 'note'], [4, 'born']]),
  ordered: [
    { attnum: 1, name: 'id', typeOid: 23 },
    { attnum: 2, name: 'email', typeOid: 25 },
    { attnum: 3, name: 'note', typeOid: 25 },
    { attnum: 4, name: 'born', typeOid: 1082 },
  ],
};
const MASKS = buildMaskSet([{ column: 'public.customers.email', strategy: 'partial', keep: 3 }, { column: 'public.customers.born', strategy: 'redact' }], null);

beforeAll(async () => {
  await loadSqlParser();
});

function masked(sql: string, line: string): string {
  const target = copyTarget(sql)!;
  const plan = planCopy(target, TABLE, MASKS);
  if (plan === null || typeof plan === 'string') throw new Error(`no plan: ${String(plan)}`);
  return maskCopyLine(line, target, plan, null);
}

describe('COPY row masking', () => {
  it('reads the COPY statement: table, columns, format options', () => {
    expect(copyTarget('COPY public.customers (id, email) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER \';\')')).toMatchObject({
      table: 'public.customers',
      columns: ['id', 'email'],
      csv: true,
      delimiter: ';',
      header: true,
      nullText: '',
    });
    expect(copyTarget('COPY customers TO STDOUT')).toMatchObject({ table: 'customers', columns: null, csv: false, delimiter: '\t', nullText: '\\N' });
    expect(copyTarget('COPY customers FROM STDIN')).toBeUndefined();
  });

  it('masks text-format rows, unescaping before and escaping after, NULL kept', () => {
    expect(masked('COPY customers TO STDOUT', '1\ttab\\there\tnote\t2001-01-01\n')).toBe('1\t*****ere\tnote\t\\N\n');
    expect(masked('COPY customers TO STDOUT', '2\t\\N\tx\t\\N\n')).toBe('2\t\\N\tx\t\\N\n');
    expect(masked('COPY customers TO STDOUT', '3\ta\\\\b\\\\c\\\\d\tx\t\\N\n')).toBe('3\t****c\\\\d\tx\t\\N\n');
  });

  it('masks csv rows with quoted fields, embedded delimiters, quotes and newlines', () => {
    const sql = 'COPY customers (email, note, id) TO STDOUT WITH (FORMAT csv)';
    // ann, "the" smith@x.io is 21 characters: 18 hidden, 3 kept.
    expect(masked(sql, '"ann, ""the"" smith@x.io","multi\nline",1\n')).toBe(`"${'*'.repeat(18)}.io","multi\nline",1\n`);
    expect(masked(sql, '"a""b",x,1\n')).toBe('"a""b",x,1\n');
    expect(masked(sql, ',plain,2\n')).toBe(',plain,2\n');
    expect(masked(sql, '"",plain,3\n')).toBe('"",plain,3\n');
  });

  it('refuses rows of an unexpected shape (the caller withholds the result)', () => {
    expect(() => masked('COPY customers TO STDOUT', '1\tonly-two\n')).toThrow(/fields/);
    expect(() => masked('COPY customers TO STDOUT', '1\ta\tb\tc')).toThrow(/newline/);
  });

  it('says when a named column is not in the catalog', () => {
    expect(planCopy(copyTarget('COPY customers (id, nope) TO STDOUT')!, TABLE, MASKS)).toMatch(/nope/);
    expect(planCopy(copyTarget('COPY customers (id, note) TO STDOUT')!, TABLE, MASKS)).toBeNull();
  });
});
