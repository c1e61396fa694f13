import { describe, expect, it } from 'vitest';
import type { Obligation } from '../../access/decision.ts';
import { buildMaskSet } from '../../masking/mask-rules.ts';
import type { StatementInfo } from '../../sql/sql-types.ts';
import type { MaskCatalog } from './postgres-mask-catalog.ts';
import { ResultRewriter } from './postgres-mask-results.ts';
import { planRow } from './postgres-mask-rows.ts';
import { truthfulTag } from './postgres-row-limit.ts';
import type { RunningStatement } from './postgres-session-audit.ts';
import { BackendFramer, commandComplete, dataRow, parseDataRow, rowDescription, type BackendFrame, type RowField } from './postgres-wire.ts';

const MASKS = buildMaskSet([{ column: 'public.customers.email', strategy: 'redact' }, { column: '*.ssn', strategy: 'hash' }], 'STINT_TEST_UNSET_KEY');
const INFO: StatementInfo = { class: 'read', command: 'SELECT', tablesRead: ['customers'], tablesWritten: [], functions: [], text: 'SELECT * FROM customers' };
const field = (name: string, tableOid: number, columnAttr: number, typeOid = 25): RowField => ({ name, tableOid, columnAttr, typeOid, typeSize: -1, typeModifier: -1, format: 0 });

const catalog = {
  tableNamed: () => undefined,
  invalidate: () => undefined,
  table: (oid: number) =>
    oid === 100
      ? { schema: 'public', table: 'customers', columns: new Map([[1, 'id'], [2, 'email'], [3, 'ssn']]), ordered: [] }
      : undefined,
} as unknown as MaskCatalog;

function frame(bytes: Buffer): BackendFrame {
  return new BackendFramer().push(bytes)[0]!;
}

function running(obligations: readonly Obligation[]): RunningStatement {
  return { info: INFO, action: 'read', startedAt: 0, allowedSeq: 1, obligations };
}

const rewriter = (): ResultRewriter =>
  new ResultRewriter({
    connect: () => Promise.reject(new Error('no connection in unit tests')),
    context: { sessionId: 's', email: 'a@b.c', resource: 'demo' },
    record: () => undefined,
    warn: () => undefined,
    catalog,
  });

describe('row plans', () => {
  it('masks the named columns and leaves others', () => {
    const outcome = planRow([field('id', 100, 1, 23), field('email', 100, 2), field('n', 0, 0)], MASKS, catalog, null);
    expect(outcome.ok && outcome.plan?.map((masker) => masker !== null)).toEqual([false, true, false]);
  });

  it('fails closed: unknown table, unattributed column named like a masked one, hash without key', () => {
    expect(planRow([field('x', 999, 1)], MASKS, catalog, null)).toMatchObject({ ok: false, reason: expect.stringContaining('could not be named') as unknown });
    expect(planRow([field('email', 0, 0)], MASKS, catalog, null)).toMatchObject({ ok: false, reason: expect.stringContaining('cannot be traced') as unknown });
    expect(planRow([field('ssn', 100, 3)], MASKS, catalog, null)).toMatchObject({ ok: false, reason: expect.stringContaining('STINT_TEST_UNSET_KEY') as unknown });
    expect(planRow([field('ssn', 100, 3)], MASKS, catalog, Buffer.from('k')).ok).toBe(true);
  });

  it('relays rows of a statement without obligations as the very same bytes', () => {
    const results = rewriter();
    const plain = running([]);
    const row = frame(dataRow([Buffer.from('ann@example.com')]));
    results.handle(frame(rowDescription([field('email', 100, 2)])), plain);
    expect(results.handle(row, plain)).toBe(row.raw);
    expect(results.handle(row, plain)).toBe(row.raw);
  });

  it('withholds the rows and replaces CommandComplete by an error when it cannot mask', () => {
    const results = rewriter();
    const masked = running([{ kind: 'mask', table: 'public.customers', columns: ['email'], set: MASKS }]);
    results.handle(frame(rowDescription([field('email', 555, 2)])), masked);
    expect(results.handle(frame(dataRow([Buffer.from('ann@example.com')])), masked)).toHaveLength(0);
    const complete = results.handle(frame(commandComplete('SELECT 1')), masked);
    expect(complete[0]).toBe('E'.charCodeAt(0));
    expect(complete.toString()).toContain('withheld this result');
    expect(complete.toString()).not.toContain('ann@example.com');
  });

  it('masks rows, cuts them at max_rows, and says so before a truthful tag', () => {
    const results = rewriter();
    const obligations: Obligation[] = [{ kind: 'mask', table: 'public.customers', columns: ['email'], set: MASKS }, { kind: 'max_rows', limit: 1, guardrail: 3 }];
    const statement = running(obligations);
    results.handle(frame(rowDescription([field('id', 100, 1, 23), field('email', 100, 2)])), statement);
    const first = results.handle(frame(dataRow([Buffer.from('1'), Buffer.from('ann@example.com')])), statement);
    expect(parseDataRow(frame(first)).map((value) => value?.toString())).toEqual(['1', '***']);
    expect(results.handle(frame(dataRow([Buffer.from('2'), Buffer.from('bob@example.com')])), statement)).toHaveLength(0);
    const end = new BackendFramer().push(results.handle(frame(commandComplete('SELECT 2')), statement));
    expect(end.map((message) => message.type)).toEqual(['N', 'C']);
    expect(end[0]!.raw.toString()).toContain('guardrail #3');
    expect(end[1]!.raw.toString()).toContain('SELECT 1');
  });

  it('rewrites only the count of a tag', () => {
    expect(truthfulTag('SELECT 12000', 10000)).toBe('SELECT 10000');
    expect(truthfulTag('COPY 5', 3)).toBe('COPY 3');
    expect(truthfulTag('FETCH 9', 0)).toBe('FETCH 0');
    expect(truthfulTag('INSERT 0 4', 4)).toBe('INSERT 0 4');
  });
});
