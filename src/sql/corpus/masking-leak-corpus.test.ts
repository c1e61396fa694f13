import { beforeAll, describe, expect, it } from 'vitest';
import { buildMaskSet, maskedColumnsOf, normaliseColumnPattern } from '../../masking/mask-rules.ts';
import { findColumnLeaks, type SensitiveColumns } from '../column-references.ts';
import { loadSqlParser, parseSql } from '../sql-parser.ts';
import { CORPUS_MASKS, MASKING_LEAK_CORPUS } from './masking-leak-corpus.ts';

const set = buildMaskSet(
  CORPUS_MASKS.map((column) => ({ column: normaliseColumnPattern(column), strategy: 'redact' as const })),
  null,
);
const sensitive: SensitiveColumns = {
  of(table) {
    const [schema = '', name = ''] = table.split('.');
    return new Set(maskedColumnsOf(set, schema, name));
  },
};

function usage(sql: string) {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Error(`corpus statement does not parse: ${sql}: ${parsed.error}`);
  expect(parsed.statements).toHaveLength(1);
  return findColumnLeaks(parsed.statements[0]!.node, sensitive);
}

beforeAll(async () => {
  await loadSqlParser();
});

describe('masking leak corpus', () => {
  it('holds at least 40 refused leak paths and allowed plain uses', () => {
    expect(MASKING_LEAK_CORPUS.filter((c) => c.refused !== undefined).length).toBeGreaterThanOrEqual(40);
    expect(MASKING_LEAK_CORPUS.filter((c) => c.refused === undefined).length).toBeGreaterThanOrEqual(15);
  });

  for (const entry of MASKING_LEAK_CORPUS) {
    it(`${entry.refused === undefined ? 'allows' : 'refuses'} ${entry.path}: ${entry.sql}`, () => {
      const result = usage(entry.sql);
      if (entry.refused === undefined) {
        expect(result.leaks).toEqual([]);
      } else {
        expect(result.leaks.length, 'a leak is reported').toBeGreaterThan(0);
        expect(result.leaks[0]!.column).toContain(entry.refused);
        expect(result.leaks[0]!.place.length).toBeGreaterThan(0);
        expect(result.touchesSensitive).toBe(true);
      }
    });
  }
});
