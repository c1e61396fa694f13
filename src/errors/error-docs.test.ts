import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, ERROR_CODES } from './error-catalogue.ts';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('error catalogue', () => {
  it.each(ERROR_CODES)('%s is documented in docs/errors.md', (code) => {
    expect(docs).toContain(`## ${code}\n`);
  });

  it('documents no code that does not exist', () => {
    const documented = [...docs.matchAll(/^## (STINT_ERR_[A-Z_]+)$/gm)].map((m) => m[1]);
    expect(documented.filter((code) => !(code! in ERROR_CATALOGUE))).toEqual([]);
  });

  it('gives every code a message and a fix', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_CATALOGUE[code].message.length).toBeGreaterThan(10);
      expect(ERROR_CATALOGUE[code].fix.length).toBeGreaterThan(10);
    }
  });
});
