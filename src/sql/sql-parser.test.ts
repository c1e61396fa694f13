import { describe, expect, it } from 'vitest';
import { classifySql, loadSqlParser } from './classify-sql.ts';

// Runs in its own module context (vitest isolates files), so the parser starts unloaded here.
describe('loadSqlParser', () => {
  it('is required before classifying, then loads once for any number of callers', async () => {
    expect(() => classifySql('SELECT 1')).toThrow(/await loadSqlParser\(\)/);
    await Promise.all([loadSqlParser(), loadSqlParser()]);
    await loadSqlParser();
    expect(classifySql('SELECT 1')).toMatchObject({ ok: true, statements: [{ class: 'read' }] });
  });
});
