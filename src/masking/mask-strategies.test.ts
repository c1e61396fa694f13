import { describe, expect, it } from 'vitest';
import { buildMaskSet, maskForColumn, normaliseColumnPattern, stricterMask, type ColumnMask } from './mask-rules.ts';
import { hashText, maskTextValue, partialText, REDACTED_TEXT, valueMasker } from './mask-strategies.ts';

const TEXT = 25;
const INT4 = 23;
const key = Buffer.from('test-key-0123456789');

describe('mask strategies', () => {
  it('redacts text to a fixed string and other types to NULL', () => {
    const mask: ColumnMask = { column: 'public.t.c', strategy: 'redact' };
    expect(valueMasker(mask, TEXT, null)(Buffer.from('alice@example.com'))?.toString()).toBe(REDACTED_TEXT);
    expect(valueMasker(mask, INT4, null)(Buffer.from('42'))).toBeNull();
  });

  it('hashes with HMAC-SHA-256 under the key: stable, keyed, not the clear value', () => {
    const mask: ColumnMask = { column: 'public.t.c', strategy: 'hash' };
    const first = valueMasker(mask, TEXT, key)(Buffer.from('alice@example.com'))!.toString();
    const again = valueMasker(mask, TEXT, Buffer.from(key))(Buffer.from('alice@example.com'))!.toString();
    const otherKey = valueMasker(mask, TEXT, Buffer.from('another key'))(Buffer.from('alice@example.com'))!.toString();
    expect(first).toBe(again);
    expect(first).not.toBe(otherKey);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(first).toBe(hashText(Buffer.from('alice@example.com'), key));
    expect(() => valueMasker(mask, TEXT, null)).toThrow();
  });

  it('partial keeps the last N characters, counting characters not bytes', () => {
    expect(partialText('+1 555 0100', 4)).toBe('*******0100');
    expect(partialText('abc', 4)).toBe('abc');
    expect(partialText('héllo wörld', 3)).toBe('********rld');
    expect(partialText('x', 0)).toBe('*');
    expect(maskTextValue('555-0199', { column: 'public.t.p', strategy: 'partial', keep: 2 }, TEXT, null)).toBe('******99');
  });
});

describe('mask rules', () => {
  it('qualifies an unqualified table with public', () => {
    expect(normaliseColumnPattern('Customers.Email')).toBe('public.customers.email');
    expect(normaliseColumnPattern('crm.customers.email')).toBe('crm.customers.email');
    expect(normaliseColumnPattern('*.ssn')).toBe('*.ssn');
  });

  it('finds the strictest mask for a column, case-insensitively, including *.column', () => {
    const set = buildMaskSet(
      [
        { column: 'public.customers.phone', strategy: 'partial', keep: 4 },
        { column: '*.phone', strategy: 'hash' },
        { column: 'public.customers.email', strategy: 'redact' },
      ],
      'STINT_MASK_KEY',
    );
    expect(maskForColumn(set, 'public', 'customers', 'phone')?.strategy).toBe('hash');
    expect(maskForColumn(set, 'Public', 'Customers', 'EMAIL')?.strategy).toBe('redact');
    expect(maskForColumn(set, 'crm', 'customers', 'email')).toBeUndefined();
    expect(maskForColumn(set, 'crm', 'leads', 'phone')?.strategy).toBe('hash');
    expect(maskForColumn(set, 'public', 'customers', 'name')).toBeUndefined();
  });

  it('prefers redact over hash over partial, and fewer kept characters', () => {
    const partial4: ColumnMask = { column: 'a', strategy: 'partial', keep: 4 };
    const partial2: ColumnMask = { column: 'a', strategy: 'partial', keep: 2 };
    expect(stricterMask(partial4, partial2)).toBe(partial2);
    expect(stricterMask(partial2, { column: 'a', strategy: 'hash' }).strategy).toBe('hash');
    expect(stricterMask({ column: 'a', strategy: 'redact' }, { column: 'a', strategy: 'hash' }).strategy).toBe('redact');
  });
});
