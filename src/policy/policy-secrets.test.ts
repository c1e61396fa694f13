import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StintError } from '../errors/stint-error.ts';
import { checkSecretRef, isSecretRef, resolveSecret, secretRefProblem } from './policy-secrets.ts';
import type { SecretRef } from './policy-types.ts';

const dir = mkdtempSync(join(tmpdir(), 'stint-secret-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function configError(run: () => unknown): StintError {
  try {
    run();
  } catch (error) {
    if (error instanceof StintError) return error;
    throw error;
  }
  throw new Error('expected a StintError');
}

describe('secret references', () => {
  it.each([
    ['env:DEMO_PG_PASSWORD', true],
    ['env:_x1', true],
    ['file:/run/secrets/pw', true],
    ['env:1BAD', false],
    ['env:', false],
    ['env:WITH SPACE', false],
    ['file:relative/pw', false],
    ['hunter2', false],
    ['', false],
  ])('%j is a reference: %s', (text, expected) => {
    expect(isSecretRef(text)).toBe(expected);
    expect(secretRefProblem(text) === undefined).toBe(expected);
  });

  it('never quotes a value that is not a reference', () => {
    const problem = secretRefProblem('correct-horse-battery');
    expect(problem?.message).not.toContain('correct-horse-battery');
    expect(problem?.fix).toMatch(/Never inline secrets/);
  });

  it('resolves env: from the given environment', () => {
    expect(resolveSecret('env:PW', { PW: 's3cret' })).toBe('s3cret');
  });

  it('resolves file: and drops one trailing newline only', () => {
    const path = join(dir, 'pw');
    writeFileSync(path, 'line one\n\n');
    expect(resolveSecret(`file:${path}`)).toBe('line one\n');
    writeFileSync(path, 'exact');
    expect(resolveSecret(`file:${path}`)).toBe('exact');
  });

  it('fails with STINT_ERR_CONFIG naming the reference, never a value', () => {
    const unset = configError(() => resolveSecret('env:MISSING_PW', { OTHER: 'value-of-other' }));
    expect(unset.code).toBe('STINT_ERR_CONFIG');
    expect(unset.message).toContain('env:MISSING_PW');
    expect(configError(() => resolveSecret('env:EMPTY', { EMPTY: '' })).message).toContain('env:EMPTY');

    const missing = configError(() => resolveSecret(`file:${join(dir, 'absent')}`));
    expect(missing.code).toBe('STINT_ERR_CONFIG');
    expect(missing.message).toContain(`file:${join(dir, 'absent')}`);
    expect(missing.message).toContain('ENOENT');

    const inline = configError(() => resolveSecret('plain-password' as SecretRef));
    expect(inline.code).toBe('STINT_ERR_CONFIG');
    expect(inline.message).not.toContain('plain-password');
  });

  it('checks references without failing (warnings)', () => {
    expect(checkSecretRef('env:PW', { PW: 'x' })).toBeUndefined();
    expect(checkSecretRef('env:PW', {})).toMatch(/PW .*not set/);
    const path = join(dir, 'readable');
    writeFileSync(path, 'x');
    expect(checkSecretRef(`file:${path}`)).toBeUndefined();
    expect(checkSecretRef(`file:${join(dir, 'nope')}`)).toMatch(/not readable.*ENOENT/);
    if (process.getuid?.() !== 0) {
      chmodSync(path, 0o000);
      expect(checkSecretRef(`file:${path}`)).toMatch(/not readable/);
    }
  });
});
