import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../classify-sql.ts';
import { BENIGN_CORPUS } from './benign-corpus.ts';
import { judgeSql } from './corpus-judge.ts';

beforeAll(async () => {
  await loadSqlParser();
});

describe('benign corpus', () => {
  it('holds at least 100 distinct queries', () => {
    expect(BENIGN_CORPUS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(BENIGN_CORPUS.map((c) => `${c.as} ${c.sql}`)).size).toBe(BENIGN_CORPUS.length);
  });

  it.each(BENIGN_CORPUS.map((c) => [`${c.as}: ${c.sql.replace(/\s+/g, ' ')}`, c] as const))('%s', (_name, testCase) => {
    const verdict = judgeSql(testCase.sql, testCase.as);
    expect(verdict).toEqual({ allow: true, classes: testCase.classes });
  });
});
