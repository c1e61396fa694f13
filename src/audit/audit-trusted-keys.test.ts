import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, TRUSTED_KEYS_DIR, trustedPublicKeys } from './audit-signing-key.ts';

describe('trustedPublicKeys', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('trusts the node’s own key and the other nodes’ keys placed beside it, nothing else', () => {
    const own = mkdtempSync(join(tmpdir(), 'stint-keys-'));
    const other = mkdtempSync(join(tmpdir(), 'stint-keys-'));
    dirs.push(own, other);
    const ownKey = loadOrCreateSigningKey(own);
    const otherKey = loadOrCreateSigningKey(other);
    expect(trustedPublicKeys(own)).toEqual([ownKey.publicKeyPem]);

    mkdirSync(join(own, TRUSTED_KEYS_DIR));
    writeFileSync(join(own, TRUSTED_KEYS_DIR, 'node-b.pub'), otherKey.publicKeyPem);
    writeFileSync(join(own, TRUSTED_KEYS_DIR, 'README.txt'), 'not a key');
    expect(trustedPublicKeys(own)).toEqual([ownKey.publicKeyPem, otherKey.publicKeyPem]);
  });

  it('trusts nothing in a directory without keys', () => {
    const empty = mkdtempSync(join(tmpdir(), 'stint-keys-'));
    dirs.push(empty);
    expect(trustedPublicKeys(empty)).toEqual([]);
  });
});
