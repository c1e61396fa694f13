import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../store/store.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { chainBody, computeEventHash, type ChainFields } from './audit-chain.ts';

const fields: ChainFields = {
  seq: 1,
  ts: 1_796_083_200_000,
  code: 'AUTH_SUCCEEDED',
  outcome: 'success',
  actor: 'alice@vendor.example',
  resource: 'demo',
  subject: null,
  summary: 'Token accepted.',
  data: { b: 2, a: [1, 'x'] },
};

describe('computeEventHash', () => {
  it('is sha256 of the previous hash, a newline and the canonical JSON of the fields', () => {
    const expected = createHash('sha256')
      .update(
        `${GENESIS_HASH}\n{"actor":"alice@vendor.example","code":"AUTH_SUCCEEDED","data":{"a":[1,"x"],"b":2},"outcome":"success","resource":"demo","seq":1,"subject":null,"summary":"Token accepted.","ts":1796083200000}`,
      )
      .digest('hex');
    expect(computeEventHash(GENESIS_HASH, fields)).toBe(expected);
  });

  it('changes when any covered field or the previous hash changes', () => {
    const base = computeEventHash(GENESIS_HASH, fields);
    const variants: Partial<ChainFields>[] = [
      { seq: 2 },
      { ts: fields.ts + 1 },
      { code: 'AUTH_TOKEN_UNKNOWN' },
      { outcome: 'failure' },
      { actor: 'bob@vendor.example' },
      { resource: null },
      { subject: 'x' },
      { summary: 'Token accepted!' },
      { data: { b: 3, a: [1, 'x'] } },
    ];
    for (const variant of variants) expect(computeEventHash(GENESIS_HASH, { ...fields, ...variant })).not.toBe(base);
    expect(computeEventHash('1'.repeat(64), fields)).not.toBe(base);
    // Key order of data does not matter: it is canonical.
    expect(computeEventHash(GENESIS_HASH, { ...fields, data: { a: [1, 'x'], b: 2 } })).toBe(base);
  });

  it('builds the same body as canonicalJson for any fields', () => {
    const text = fc.string({ unit: 'grapheme' });
    fc.assert(
      fc.property(
        fc.record({
          seq: fc.integer({ min: 1 }),
          ts: fc.integer({ min: 0 }),
          code: text,
          outcome: fc.constantFrom('success' as const, 'failure' as const),
          actor: text,
          resource: fc.option(text),
          subject: fc.option(text),
          summary: text,
          data: fc.dictionary(text, fc.jsonValue()),
        }),
        (f) => {
          const data = JSON.parse(canonicalJson(f.data)) as Record<string, unknown>;
          const { data: _d, ...rest } = f;
          expect(chainBody(rest, canonicalJson(data))).toBe(canonicalJson({ ...rest, data }));
        },
      ),
    );
  });
});
