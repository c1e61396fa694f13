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

  it('keeps each typed word as one phrase', () => {
    expect(searchPhrases('alice@vendor.example  denied *** "x"')).toEqual(['alice vendor example', 'denied', 'x']);
    expect(searchPhrases('   ')).toEqual([]);
  });

  it('collects string values at any depth', () => {
    expect(collectStrings({ a: 'x', b: [1, 'y', { c: 'z', d: null }], e: true })).toEqual(['x', 'y', 'z']);
  });
});
