import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_CODES } from './audit-codes.ts';

const docs = readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8');

describe('audit code docs', () => {
  it.each(Object.entries(AUDIT_CODES))('%s is in the docs/audit.md code table with its outcome', (code, { outcome }) => {
    expect(docs).toContain(`| \`${code}\` | ${outcome} |`);
  });

  it('documents no code that does not exist', () => {
    const documented = [...docs.matchAll(/^\| `([A-Z_]+)` \| (?:success|failure) \|/gm)].map((m) => m[1]!);
    expect(documented.filter((code) => !Object.hasOwn(AUDIT_CODES, code))).toEqual([]);
  });
});
