import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../classify-sql.ts';
import { judgeSql } from './corpus-judge.ts';
import { EVASION_CORPUS } from './evasion-corpus.ts';

beforeAll(async () => {
  await loadSqlParser();
});

describe('evasion corpus', () => {
  it('holds at least 150 distinct attempts', () => {
    expect(EVASION_CORPUS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(EVASION_CORPUS.map((c) => `${c.as} ${c.sql}`)).size).toBe(EVASION_CORPUS.length);
  });

  it.each(EVASION_CORPUS.map((c) => [`${c.as}: ${c.sql.replace(/\s+/g, ' ')}`, c] as const))('%s', (_name, testCase) => {
    const verdict = judgeSql(testCase.sql, testCase.as);
    expect(verdict.allow).toBe(false);
    if (verdict.allow) return;
    expect(verdict.reason).toBe(testCase.reason);
    if (testCase.class !== undefined) expect(verdict.class).toBe(testCase.class);
    // A refusal for unsafe SQL names what was found.
    if (verdict.reason === 'DENY_UNSAFE') expect(verdict.info?.unsafeReasons?.length ?? 0).toBeGreaterThan(0);
  });
});
