import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectStrings, normaliseSearchText, searchPhrases } from './audit-text.ts';

describe('search text', () => {
  it('lower-cases, strips accents and splits on anything but letters and digits', () => {
    expect(normaliseSearchText('Alice@Vendor.EXAMPLE')).toBe('alice vendor example');
    expect(normaliseSearchText('  AUTH_TOKEN_UNKNOWN  ')).toBe('auth token unknown');
    expect(normaliseSearchText('Crème brûlée, naïve!')).toBe('creme brulee naive');
    expect(normaliseSearchText('Привет 東京 abc123')).toBe('привет 東京 abc123');
    expect(normaliseSearchText('"; DROP --')).toBe('drop');
  });

  it('gives ASCII text (its fast path) exactly what the Unicode-aware passes give', () => {
    const unicodeAware = (text: string): string =>
      text
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, ' ')
        .trim();
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 80 });
    fc.assert(
      fc.property(ascii, (text) => {
        expect(normaliseSearchText(text)).toBe(unicodeAware(text));
      }),
      { numRuns: 2_000 },
    );
    expect(normaliseSearchText('SELECT * FROM "Users" WHERE id = $1;\t-- x')).toBe('select from users where id 1 x');
  });

  it('keeps each typed word as one phrase', () => {
    expect(searchPhrases('alice@vendor.example  denied *** "x"')).toEqual(['alice vendor example', 'denied', 'x']);
    expect(searchPhrases('   ')).toEqual([]);
  });

  it('collects string values at any depth', () => {
    expect(collectStrings({ a: 'x', b: [1, 'y', { c: 'z', d: null }], e: true })).toEqual(['x', 'y', 'z']);
  });
});
