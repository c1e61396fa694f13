import { generateKeyPair, type KeyObject, type X509Certificate } from 'node:crypto';
import { access, chmod, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { StintError } from '../errors/stint-error.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { issueCertificate } from './tls-certificate.ts';
import { readCertificateFile, readPrivateKeyFile, validity, type TlsMaterial } from './tls-files.ts';

/**
 * The TLS material a gateway makes for itself at first start, so TLS works
 * before an operator has a certificate: a local CA (handed to clients that
 * want verify-full) and a server certificate it signs. Later starts reuse
 * both; only the server certificate is replaced when it nears expiry or no
 * longer names every host it must, so clients that trust the CA keep working.
 */

export const DEFAULT_TLS_HOSTNAMES: readonly string[] = ['localhost'];
export const DEFAULT_TLS_IPS: readonly string[] = ['127.0.0.1', '::1'];

const DAY_MS = 86_400_000;
const CA_LIFETIME_MS = 3650 * DAY_MS;
const SERVER_LIFETIME_MS = 365 * DAY_MS;
/** Replaced this long before expiry, so a restart in the last month never serves a dying certificate. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
/** Back-dated so a client whose clock runs a little behind still accepts a fresh certificate. */
const BACKDATE_MS = 60 * 60_000;

const CA_NAME = 'Stint local CA';
const SERVER_NAME = 'Stint gateway';
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export interface TlsMaterialOptions {
  /** DNS names the server certificate must carry; default `localhost`. */
  readonly hostnames?: readonly string[];
  /** IP addresses it must carry; default 127.0.0.1 and ::1. */
  readonly ips?: readonly string[];
  readonly clock?: Clock;
}

interface KeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

interface Authority extends KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly generated: boolean;
}

const newKeyPair = promisify(generateKeyPair);

async function p256(): Promise<KeyPair> {
  return newKeyPair('ec', { namedCurve: 'prime256v1' });
}

function keyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Write then rename, so a crash never leaves half a PEM file behind. */
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

/** Keys must stay readable by the gateway alone, even if someone loosened them by hand. */
async function tightenKeyMode(path: string): Promise<void> {
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
}

function checkNames(hostnames: readonly string[], ips: readonly string[]): { hostnames: string[]; ips: string[] } {
  const names = [...new Set(hostnames.map((hostname) => hostname.toLowerCase()))];
  for (const hostname of names) {
    if (!HOSTNAME.test(hostname)) {
      throw new StintError('STINT_ERR_CONFIG', `"${hostname}" is not a host name the TLS certificate can carry (letters, digits, "-" and "." only).`);
    }
  }
  for (const ip of ips) {
    if (isIP(ip) === 0) throw new StintError('STINT_ERR_CONFIG', `"${ip}" is not an IP address the TLS certificate can carry.`);
  }
  if (names.length + ips.length === 0) throw new StintError('STINT_ERR_CONFIG', 'The TLS certificate needs at least one host name or IP address.');
  return { hostnames: names, ips: [...new Set(ips)] };
}

function covers(certificate: X509Certificate, hostnames: readonly string[], ips: readonly string[]): boolean {
  const hostOptions = { subject: 'never', wildcards: false, partialWildcards: false } as const;
  return hostnames.every((hostname) => certificate.checkHost(hostname, hostOptions) !== undefined) && ips.every((ip) => certificate.checkIP(ip) !== undefined);
}

async function createAuthority(caPath: string, caKeyPath: string, now: number): Promise<Authority> {
  const pair = await p256();
  const certPem = issueCertificate({
    commonName: CA_NAME,
    issuerCommonName: CA_NAME,
    publicKey: pair.publicKey,
    issuerPublicKey: pair.publicKey,
    signingKey: pair.privateKey,
    notBefore: now - BACKDATE_MS,
    notAfter: now + CA_LIFETIME_MS,
    role: 'ca',
  });
  const privatePem = keyPem(pair.privateKey);
  // The key first: a crash between the two writes leaves no certificate, which the next start regenerates.
  await writeAtomically(caKeyPath, privatePem, 0o600);
  await writeAtomically(caPath, certPem, 0o644);
  return { ...pair, certPem, keyPem: privatePem, generated: true };
}

/**
 * The existing CA, or a new one when there is none (or it is about to
 * expire). A CA certificate whose key is missing or different is an error,
 * not a reason to replace it silently: clients may trust that certificate.
 */
async function loadAuthority(caPath: string, caKeyPath: string, now: number): Promise<Authority> {
  if (!(await exists(caPath))) return createAuthority(caPath, caKeyPath, now);
  const repair = `Delete the directory ${dirname(caPath)} to let Stint create new TLS material (clients must then trust the new CA).`;
  const { pem: certPem, certificate } = await readCertificateFile(caPath, 'CA certificate').catch((cause: unknown) => {
    throw new StintError('STINT_ERR_CONFIG', `${(cause as Error).message} ${repair}`, [], { cause });
  });
  const { pem: privatePem, key } = await readPrivateKeyFile(caKeyPath, 'CA private key').catch((cause: unknown) => {
    throw new StintError('STINT_ERR_CONFIG', `${(cause as Error).message} ${repair}`, [], { cause });
  });
  if (!certificate.checkPrivateKey(key)) {
    throw new StintError('STINT_ERR_CONFIG', `The CA private key ${caKeyPath} does not match the CA certificate ${caPath}. ${repair}`);
  }
  if (validity(certificate).notAfter - now <= RENEW_BEFORE_MS) return createAuthority(caPath, caKeyPath, now);
  await tightenKeyMode(caKeyPath);
  return { publicKey: certificate.publicKey, privateKey: key, certPem, keyPem: privatePem, generated: false };
}

/** Whether the server certificate on disk can be served as it is. */
async function reusableServer(
  certPath: string,
  keyPath: string,
  authority: Authority,
  names: { hostnames: string[]; ips: string[] },
  now: number,
): Promise<{ certPem: string; keyPem: string } | undefined> {
  if (authority.generated || !(await exists(certPath)) || !(await exists(keyPath))) return undefined;
  try {
    const { pem: certPem, certificate } = await readCertificateFile(certPath);
    const { pem: privatePem, key } = await readPrivateKeyFile(keyPath);
    const { notBefore, notAfter } = validity(certificate);
    const usable =
      certificate.checkPrivateKey(key) &&
      certificate.verify(authority.publicKey) &&
      notBefore <= now &&
      notAfter - now > RENEW_BEFORE_MS &&
      covers(certificate, names.hostnames, names.ips);
    return usable ? { certPem, keyPem: privatePem } : undefined;
  } catch {
    // Unreadable server material is ours to replace; the CA is what clients trust.
    return undefined;
  }
}

/**
 * Makes sure `<dataDir>/tls/` holds a CA and a server certificate valid for
 * the given names, creating or renewing what is missing, and returns both.
 */
export async function ensureTlsMaterial(dataDir: string, options: TlsMaterialOptions = {}): Promise<TlsMaterial> {
  const names = checkNames(options.hostnames ?? DEFAULT_TLS_HOSTNAMES, options.ips ?? DEFAULT_TLS_IPS);
  const now = (options.clock ?? systemClock).now();
  const dir = join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caPath = join(dir, 'ca.crt');
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  const authority = await loadAuthority(caPath, join(dir, 'ca.key'), now);
  const existing = await reusableServer(certPath, keyPath, authority, names, now);
  if (existing !== undefined) {
    await tightenKeyMode(keyPath);
    return { caCertPem: authority.certPem, caPath, ...existing, certPath, keyPath, generated: false };
  }
  const pair = await p256();
  const certPem = issueCertificate({
    commonName: SERVER_NAME,
    issuerCommonName: CA_NAME,
    publicKey: pair.publicKey,
    issuerPublicKey: authority.publicKey,
    signingKey: authority.privateKey,
    notBefore: now - BACKDATE_MS,
    notAfter: now + SERVER_LIFETIME_MS,
    role: 'server',
    dnsNames: names.hostnames,
    ips: names.ips,
  });
  const privatePem = keyPem(pair.privateKey);
  await writeAtomically(keyPath, privatePem, 0o600);
  await writeAtomically(certPath, certPem, 0o644);
  return { caCertPem: authority.certPem, caPath, certPem, keyPem: privatePem, certPath, keyPath, generated: true };
}
