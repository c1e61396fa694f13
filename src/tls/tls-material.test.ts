import { X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StintError } from '../errors/stint-error.ts';
import { ManualClock } from '../time/clock.ts';
import { ensureTlsMaterial } from './tls-material.ts';
import { handshake } from './tls-test-kit.ts';

const DAY_MS = 86_400_000;

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'stint-tls-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ensureTlsMaterial', () => {
  it('creates a CA and a server certificate under <dataDir>/tls with private keys readable by the owner only', async () => {
    const material = await ensureTlsMaterial(dataDir, { hostnames: ['localhost'], ips: ['127.0.0.1', '::1'] });
    expect(material.generated).toBe(true);
    expect(material.caPath).toBe(join(dataDir, 'tls', 'ca.crt'));
    expect(material.certPath).toBe(join(dataDir, 'tls', 'server.crt'));
    expect(material.keyPath).toBe(join(dataDir, 'tls', 'server.key'));
    expect(readFileSync(material.certPath, 'utf8')).toBe(material.certPem);
    expect(readFileSync(material.caPath, 'utf8')).toBe(material.caCertPem);
    expect(statSync(material.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'tls', 'ca.key')).mode & 0o777).toBe(0o600);

    const ca = new X509Certificate(material.caCertPem);
    const server = new X509Certificate(material.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=Stint local CA');
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(Date.parse(ca.validTo) - Date.now()).toBeGreaterThan(3640 * DAY_MS);
    expect(server.ca).toBe(false);
    expect(server.issuer).toBe('CN=Stint local CA');
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    const lifetime = Date.parse(server.validTo) - Date.now();
    expect(lifetime).toBeGreaterThan(360 * DAY_MS);
    expect(lifetime).toBeLessThan(370 * DAY_MS);
  });

  it('produces certificates a real TLS client verifies for 127.0.0.1 and localhost', async () => {
    const material = await ensureTlsMaterial(dataDir, {});
    const byIp = await handshake(material, { host: '127.0.0.1', ca: material.caCertPem, checkServerIdentity });
    expect(byIp).toEqual({ authorized: true, echoed: 'x' });
    const byName = await handshake(material, { servername: 'localhost', ca: material.caCertPem, checkServerIdentity });
    expect(byName).toEqual({ authorized: true, echoed: 'x' });
  });

  it('fails verification for a name the certificate does not carry, and without the CA', async () => {
    const material = await ensureTlsMaterial(dataDir, {});
    await expect(handshake(material, { servername: 'db.example.test', ca: material.caCertPem, checkServerIdentity })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    await expect(handshake(material, { servername: 'localhost' })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('reuses the material on later starts', async () => {
    const first = await ensureTlsMaterial(dataDir, {});
    const second = await ensureTlsMaterial(dataDir, {});
    expect(second.generated).toBe(false);
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(second.certPem).toBe(first.certPem);
    expect(second.keyPem).toBe(first.keyPem);
  });

  it('replaces only the server certificate when the requested names are not covered', async () => {
    const first = await ensureTlsMaterial(dataDir, {});
    const wider = await ensureTlsMaterial(dataDir, { hostnames: ['localhost', 'gw.example.test'], ips: ['127.0.0.1', '10.0.0.7'] });
    expect(wider.generated).toBe(true);
    expect(wider.caCertPem).toBe(first.caCertPem);
    expect(wider.certPem).not.toBe(first.certPem);
    const server = new X509Certificate(wider.certPem);
    expect(server.checkHost('gw.example.test')).toBe('gw.example.test');
    expect(server.checkIP('10.0.0.7')).toBe('10.0.0.7');
    expect(await handshake(wider, { servername: 'gw.example.test', ca: first.caCertPem, checkServerIdentity })).toMatchObject({ authorized: true });
    // A subset of what the certificate names is covered, so nothing changes.
    const narrower = await ensureTlsMaterial(dataDir, { hostnames: ['gw.example.test'], ips: [] });
    expect(narrower.generated).toBe(false);
    expect(narrower.certPem).toBe(wider.certPem);
  });

  it('renews the server certificate 30 days before it expires, keeping the CA', async () => {
    const clock = new ManualClock(Date.now());
    const first = await ensureTlsMaterial(dataDir, { clock });
    clock.advance(334 * DAY_MS);
    const stillGood = await ensureTlsMaterial(dataDir, { clock });
    expect(stillGood.generated).toBe(false);
    clock.advance(2 * DAY_MS);
    const renewed = await ensureTlsMaterial(dataDir, { clock });
    expect(renewed.generated).toBe(true);
    expect(renewed.caCertPem).toBe(first.caCertPem);
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(Date.parse(new X509Certificate(renewed.certPem).validTo)).toBeGreaterThan(clock.now() + 360 * DAY_MS);
  });

  it('replaces an unreadable server certificate and tightens loosened key permissions', async () => {
    const first = await ensureTlsMaterial(dataDir, {});
    writeFileSync(first.certPath, 'not a certificate');
    const repaired = await ensureTlsMaterial(dataDir, {});
    expect(repaired.generated).toBe(true);
    expect(new X509Certificate(repaired.certPem).verify(new X509Certificate(first.caCertPem).publicKey)).toBe(true);
    chmodSync(repaired.keyPath, 0o644);
    const again = await ensureTlsMaterial(dataDir, {});
    expect(again.generated).toBe(false);
    expect(statSync(again.keyPath).mode & 0o777).toBe(0o600);
  });

  it('refuses to replace a CA whose private key is missing or different', async () => {
    await ensureTlsMaterial(dataDir, {});
    const caKey = join(dataDir, 'tls', 'ca.key');
    const otherDir = mkdtempSync(join(tmpdir(), 'stint-tls-other-'));
    try {
      await ensureTlsMaterial(otherDir, {});
      writeFileSync(caKey, readFileSync(join(otherDir, 'tls', 'ca.key')));
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
    const mismatch = await ensureTlsMaterial(dataDir, {}).catch((error: unknown) => error);
    expect(mismatch).toBeInstanceOf(StintError);
    expect((mismatch as StintError).code).toBe('STINT_ERR_CONFIG');
    expect((mismatch as StintError).message).toContain(caKey);
    rmSync(caKey);
    await expect(ensureTlsMaterial(dataDir, {})).rejects.toThrow(/CA private key file .*ca\.key does not exist/);
  });

  it('rejects names a certificate cannot carry', async () => {
    await expect(ensureTlsMaterial(dataDir, { hostnames: ['bad name'] })).rejects.toThrow(/"bad name" is not a host name/);
    await expect(ensureTlsMaterial(dataDir, { ips: ['300.1.1.1'] })).rejects.toThrow(/not an IP address/);
    await expect(ensureTlsMaterial(dataDir, { hostnames: [], ips: [] })).rejects.toBeInstanceOf(StintError);
  });
});
