import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySql, loadSqlParser } from '../../sql/classify-sql.ts';
import { OffloadedClassifier } from './postgres-statement-gate-offload.ts';

const classifier = new OffloadedClassifier(pino({ level: 'silent' }));

beforeAll(async () => {
  await loadSqlParser();
});

afterAll(async () => {
  await classifier.close();
});

describe('OffloadedClassifier', () => {
  it('classifies on a worker thread exactly as on the event loop', async () => {
    for (const sql of ['SELECT 1; WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'PREPARE p AS INSERT INTO t VALUES (1)', 'SELEC 1', '']) {
      expect(await classifier.classify(sql)).toEqual(classifySql(sql));
    }
  });

  it('answers concurrent requests each with its own result, and starts again after being closed', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? `SELECT ${i}` : `DROP TABLE t${i}`));
    const results = await Promise.all(texts.map((sql) => classifier.classify(sql)));
    expect(results.map((r) => r.ok && r.statements[0]!.class)).toEqual(texts.map((_, i) => (i % 2 === 0 ? 'read' : 'ddl')));
    await classifier.close();
    expect(await classifier.classify('TRUNCATE t')).toMatchObject({ ok: true, statements: [{ class: 'write' }] });
  });
});
