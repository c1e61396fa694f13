import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../util/canonical-json.ts';
import type { AuditEventInput } from './audit-event.ts';
import { AUDIT_LIMITS, prepareAuditInput, TRUNCATION_MARKER, truncateUtf8 } from './audit-input.ts';

const base: AuditEventInput = { code: 'ACCESS_DENIED', actor: 'alice@vendor.example', summary: 'Denied a DROP TABLE.', data: { reason: 'DENY_GUARDRAIL_DDL' } };

function rejection(input: AuditEventInput): unknown {
  try {
    prepareAuditInput(input, 0);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('prepareAuditInput', () => {
  it('takes the outcome from the code, not the caller', () => {
    const sneaky = { ...base, outcome: 'success' } as AuditEventInput;
    expect(prepareAuditInput(sneaky, 5)).toMatchObject({ ts: 5, outcome: 'failure', resource: null, subject: null });
    expect(prepareAuditInput({ ...base, code: 'ACCESS_ALLOWED' }, 5).outcome).toBe('success');
  });

  it('stores data as canonical JSON and returns the parsed form', () => {
    const prepared = prepareAuditInput({ ...base, data: { z: 1, a: { y: [new Date(0), null], x: undefined } } }, 0);
    expect(prepared.dataJson).toBe('{"a":{"y":["1970-01-01T00:00:00.000Z",null]},"z":1}');
    expect(prepared.data).toEqual({ a: { y: ['1970-01-01T00:00:00.000Z', null] }, z: 1 });
  });

  it('builds data in one pass exactly as canonical JSON parsed back would be', () => {
    // Dates, undefined members and array items, -0, integer-like keys: the cases JSON treats specially.
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(-0), fc.date({ noInvalidDate: true }));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('list'), tie('object')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('10', '2', 'a', 'B')), tie('value'), { maxKeys: 5 }),
    }));
    fc.assert(
      fc.property(json.object, (data) => {
        const prepared = prepareAuditInput({ ...base, data }, 0);
        const expected = canonicalJson(data);
        expect(prepared.dataJson).toBe(expected);
        expect(prepared.data).toStrictEqual(JSON.parse(expected));
      }),
      { numRuns: 300 },
    );
    // An own __proto__ key (JSON.parse makes one) is dropped, as canonicalJson drops it, so the chain still verifies.
    const own = JSON.parse('{"__proto__":{"a":"x"},"b":2}') as Record<string, unknown>;
    expect(prepareAuditInput({ ...base, data: own }, 0).dataJson).toBe(canonicalJson(own));
    expect(canonicalJson(own)).toBe('{"b":2}');
    const holes = prepareAuditInput({ ...base, data: { list: [1, , 3] } }, 0); // eslint-disable-line no-sparse-arrays
    expect(holes.dataJson).toBe('{"list":[1,null,3]}');
    expect(holes.data).toStrictEqual({ list: [1, null, 3] });
  });

  it.each([
    ['a function', { f: () => 1 }, 'data.f is a function'],
    ['a bigint', { n: 1n }, 'data.n is a bigint'],
    ['a symbol', { s: Symbol('x') }, 'data.s is a symbol'],
    ['NaN', { n: Number.NaN }, 'data.n is NaN'],
    ['Infinity', { list: [1, Number.POSITIVE_INFINITY] }, 'data.list[1] is Infinity'],
    ['a Map', { m: new Map() }, 'data.m is a Map'],
    ['an invalid Date', { d: new Date(Number.NaN) }, 'invalid Date'],
  ])('rejects %s in data with STINT_ERR_INTERNAL', (_what, data, message) => {
    const error = rejection({ ...base, data });
    expect(error).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
    expect((error as Error).message).toContain(message);
  });

  it('rejects cycles but accepts a shared (acyclic) reference', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.inner = { back: loop };
    expect(rejection({ ...base, data: loop })).toMatchObject({ code: 'STINT_ERR_INTERNAL', message: expect.stringContaining('cycle') as unknown });
    const shared = { x: 1 };
    expect(prepareAuditInput({ ...base, data: { one: shared, two: shared } }, 0).data).toEqual({ one: { x: 1 }, two: { x: 1 } });
  });

  it('rejects nesting deeper than the limit', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < AUDIT_LIMITS.dataDepth + 5; i += 1) deep = { deep };
    expect(rejection({ ...base, data: deep })).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
  });

  it('rejects unknown codes, a missing actor and non-string fields', () => {
    expect(rejection({ ...base, code: 'NOPE' as 'ACCESS_DENIED' })).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
    expect(rejection({ ...base, code: 'toString' as 'ACCESS_DENIED' })).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
    expect(rejection({ ...base, actor: '  ' })).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
    expect(rejection({ ...base, resource: 5 as unknown as string })).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
    expect(rejection({ ...base, data: [1] as unknown as Record<string, unknown> })).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
  });

  it('replaces oversized data with a marked, bounded preview', () => {
    const big = 'x'.repeat(AUDIT_LIMITS.dataBytes + 10);
    const prepared = prepareAuditInput({ ...base, data: { big } }, 0);
    expect(prepared.data).toMatchObject({ truncated: true, originalBytes: Buffer.byteLength(JSON.stringify({ big })) });
    expect(String(prepared.data.preview).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(Buffer.byteLength(prepared.dataJson)).toBeLessThan(AUDIT_LIMITS.dataBytes);
  });

  it('truncates a long summary and long actor with the marker', () => {
    const prepared = prepareAuditInput({ ...base, summary: 'é'.repeat(AUDIT_LIMITS.summaryBytes), actor: 'a'.repeat(5000) }, 0);
    expect(Buffer.byteLength(prepared.summary)).toBeLessThanOrEqual(AUDIT_LIMITS.summaryBytes);
    expect(prepared.summary.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(Buffer.byteLength(prepared.actor)).toBeLessThanOrEqual(AUDIT_LIMITS.fieldBytes);
  });

  it('indexes summary, code, actor, resource, subject and data string values, not data keys', () => {
    const prepared = prepareAuditInput(
      { ...base, resource: 'billing-db', subject: 'tok_1', data: { secretKeyName: 'DROP TABLE invoices', count: 3, nested: ['Café'] } },
      0,
    );
    expect(prepared.searchBody).toBe('denied a drop table access denied alice vendor example billing db tok 1 cafe drop table invoices');
  });
});

describe('truncateUtf8', () => {
  it('never splits a character and respects the byte budget', () => {
    for (let max = 14; max < 40; max += 1) {
      const cut = truncateUtf8('😀é'.repeat(20), max);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
      expect(cut).not.toContain('\uFFFD');
      expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    }
    expect(truncateUtf8('short', 100)).toBe('short');
  });
});
