import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StintError } from '../errors/stint-error.ts';
import { ManualClock } from '../time/clock.ts';
import { issueCertificate } from './tls-certificate.ts';
import { loadTlsFiles } from './tls-files.ts';
import { ensureTlsMaterial } from './tls-material.ts';
import { handshake } from './tls-test-kit.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stint-tls-files-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function configError(promise: Promise<unknown>): Promise<StintError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StintError);
  expect((error as StintError).code).toBe('STINT_ERR_CONFIG');
  return error as StintError;
}

describe('loadTlsFiles', () => {
  it('loads a certificate, its key and a CA that clients can verify against', async () => {
    const made = await ensureTlsMaterial(join(dir, 'data'), {});
    const loaded = await loadTlsFiles(made.certPath, made.keyPath, made.caPath);
    expect(loaded).toEqual({
      certPem: made.certPem,
      keyPem: made.keyPem,
      certPath: made.certPath,
      keyPath: made.keyPath,
      caCertPem: made.caCertPem,
      caPath: made.caPath,
    });
    expect(await handshake(loaded, { servername: 'localhost', ca: loaded.caCertPem, checkServerIdentity })).toMatchObject({ authorized: true });
    const withoutCa = await loadTlsFiles(made.certPath, made.keyPath);
    expect(withoutCa.caPath).toBeUndefined();
    expect(withoutCa.caCertPem).toBeUndefined();
  });

  it('names the missing or unreadable file', async () => {
    const made = await ensureTlsMaterial(join(dir, 'data'), {});
    const missing = join(dir, 'nope.crt');
    expect((await configError(loadTlsFiles(missing, made.keyPath))).message).toBe(`The TLS certificate file ${missing} does not exist.`);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'hello');
    expect((await configError(loadTlsFiles(garbage, made.keyPath))).message).toContain(`${garbage} does not hold a PEM certificate`);
    expect((await configError(loadTlsFiles(made.certPath, garbage))).message).toContain(`${garbage} does not hold an unencrypted PEM private key`);
    expect((await configError(loadTlsFiles(made.certPath, made.keyPath, garbage))).message).toContain(`CA certificate file ${garbage}`);
  });

  it('refuses an encrypted key', async () => {
    const made = await ensureTlsMaterial(join(dir, 'data'), {});
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const encrypted = join(dir, 'encrypted.key');
    writeFileSync(encrypted, privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }));
    expect((await configError(loadTlsFiles(made.certPath, encrypted))).message).toContain('encrypted keys are not supported');
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const made = await ensureTlsMaterial(join(dir, 'data'), {});
    const other = await ensureTlsMaterial(join(dir, 'other'), {});
    const error = await configError(loadTlsFiles(made.certPath, other.keyPath));
    expect(error.message).toBe(`The TLS private key file ${other.keyPath} does not match the certificate in ${made.certPath}.`);
  });

  it('refuses an expired certificate', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const clock = new ManualClock('2026-06-01T00:00:00Z');
    const certPath = join(dir, 'old.crt');
    const keyPath = join(dir, 'old.key');
    writeFileSync(
      certPath,
      issueCertificate({
        commonName: 'old',
        issuerCommonName: 'old',
        publicKey: pair.publicKey,
        issuerPublicKey: pair.publicKey,
        signingKey: pair.privateKey,
        notBefore: Date.parse('2025-01-01T00:00:00Z'),
        notAfter: Date.parse('2026-01-01T00:00:00Z'),
        role: 'server',
        dnsNames: ['localhost'],
      }),
    );
    writeFileSync(keyPath, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const error = await configError(loadTlsFiles(certPath, keyPath, undefined, { clock }));
    expect(error.message).toContain('expired on 2026-01-01T00:00:00.000Z');
    clock.set('2025-06-01T00:00:00Z');
    await expect(loadTlsFiles(certPath, keyPath, undefined, { clock })).resolves.toMatchObject({ certPath, keyPath });
  });
});
