import { createHash, createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointMessage, keyIdOf, loadOrCreateSigningKey, PUBLIC_KEY_FILE, signCheckpoint, SIGNING_KEY_FILE, verifyCheckpointSignature } from './audit-signing-key.ts';

/** The error a call throws (undefined if it returns), to match its fields. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('loadOrCreateSigningKey', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'stint-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates an Ed25519 pair on first start: private key 0600, public key as SPKI PEM', () => {
    const dir = join(tempDir(), 'data');
    const key = loadOrCreateSigningKey(dir);
    expect(statSync(join(dir, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, SIGNING_KEY_FILE), 'utf8')).toContain('BEGIN PRIVATE KEY');
    const pub = readFileSync(join(dir, PUBLIC_KEY_FILE), 'utf8');
    expect(pub).toBe(key.publicKeyPem);
    expect(pub).toContain('BEGIN PUBLIC KEY');
    const der = createPublicKey(pub).export({ type: 'spki', format: 'der' });
    expect(key.keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('loads the same key on the next start and tightens a widened mode', () => {
    const dir = tempDir();
    const first = loadOrCreateSigningKey(dir);
    chmodSync(join(dir, SIGNING_KEY_FILE), 0o644);
    const second = loadOrCreateSigningKey(dir);
    expect(second.keyId).toBe(first.keyId);
    expect(statSync(join(dir, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('rewrites a missing public key file and refuses one that belongs to another key', () => {
    const dir = tempDir();
    const key = loadOrCreateSigningKey(dir);
    rmSync(join(dir, PUBLIC_KEY_FILE));
    expect(loadOrCreateSigningKey(dir).keyId).toBe(key.keyId);
    expect(readFileSync(join(dir, PUBLIC_KEY_FILE), 'utf8')).toBe(key.publicKeyPem);
    writeFileSync(join(dir, PUBLIC_KEY_FILE), loadOrCreateSigningKey(tempDir()).publicKeyPem);
    expect(thrown(() => loadOrCreateSigningKey(dir))).toMatchObject({ code: 'STINT_ERR_CONFIG' });
  });

  it('reports an unreadable key file as STINT_ERR_CONFIG', () => {
    const dir = tempDir();
    writeFileSync(join(dir, SIGNING_KEY_FILE), 'not a key', { mode: 0o600 });
    expect(thrown(() => loadOrCreateSigningKey(dir))).toMatchObject({ code: 'STINT_ERR_CONFIG' });
  });

  it('signs canonicalJson({ seq, hash, ts }) so anyone with the public key can check it', () => {
    const key = loadOrCreateSigningKey(tempDir());
    const cp = { seq: 7, hash: 'ab'.repeat(32), ts: 1000 };
    const signature = signCheckpoint(key, cp);
    expect(checkpointMessage(cp).toString()).toBe(`{"hash":"${cp.hash}","seq":7,"ts":1000}`);
    expect(verify(null, checkpointMessage(cp), createPublicKey(key.publicKeyPem), Buffer.from(signature, 'base64'))).toBe(true);
    expect(verifyCheckpointSignature(createPublicKey(key.publicKeyPem), { ...cp, seq: 8 }, signature)).toBe(false);
    expect(verifyCheckpointSignature(createPublicKey(key.publicKeyPem), cp, 'garbage')).toBe(false);
    expect(keyIdOf(key.publicKeyPem)).toBe(key.keyId);
  });
});
