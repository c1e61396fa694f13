import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StintError } from '../errors/stint-error.ts';
import { systemClock, type Clock } from '../time/clock.ts';

/** A certificate and its key as a TLS server needs them, plus the CA clients should trust when there is one. */
export interface TlsFiles {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caCertPem?: string;
  readonly caPath?: string;
}

/** What ensureTlsMaterial hands out: always with the local CA, and whether anything was created this time. */
export interface TlsMaterial extends TlsFiles {
  readonly caCertPem: string;
  readonly caPath: string;
  readonly generated: boolean;
}

export interface ParsedCertificate {
  readonly pem: string;
  readonly certificate: X509Certificate;
}

export interface ParsedKey {
  readonly pem: string;
  readonly key: KeyObject;
}

function problemCode(cause: unknown): string {
  if (cause !== null && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return cause instanceof Error ? cause.message : 'unreadable';
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const reason = problemCode(cause) === 'ENOENT' ? 'does not exist' : `cannot be read (${problemCode(cause)})`;
    throw new StintError('STINT_ERR_CONFIG', `The TLS ${what} file ${path} ${reason}.`, [], { cause });
  }
}

/** Reads a PEM certificate (the first one when the file holds a chain). */
export async function readCertificateFile(path: string, what = 'certificate'): Promise<ParsedCertificate> {
  const pem = await readText(path, what);
  try {
    return { pem, certificate: new X509Certificate(pem) };
  } catch (cause) {
    throw new StintError('STINT_ERR_CONFIG', `The TLS ${what} file ${path} does not hold a PEM certificate.`, [], { cause });
  }
}

/** Reads an unencrypted PEM private key; the gateway has nobody to ask for a passphrase at start. */
export async function readPrivateKeyFile(path: string, what = 'private key'): Promise<ParsedKey> {
  const pem = await readText(path, what);
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch (cause) {
    throw new StintError(
      'STINT_ERR_CONFIG',
      `The TLS ${what} file ${path} does not hold an unencrypted PEM private key (encrypted keys are not supported).`,
      [],
      { cause },
    );
  }
}

/** Certificate validity as instants; X509Certificate gives it only as text. */
export function validity(certificate: X509Certificate): { readonly notBefore: number; readonly notAfter: number } {
  return { notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
}

export interface LoadTlsFilesOptions {
  readonly clock?: Clock;
}

/**
 * Loads operator-provided TLS material and checks what would otherwise only
 * show up as failed handshakes: that each file parses, that the key belongs
 * to the certificate, and that the certificate has not expired.
 */
export async function loadTlsFiles(certPath: string, keyPath: string, caPath?: string, options: LoadTlsFilesOptions = {}): Promise<TlsFiles> {
  const { pem: certPem, certificate } = await readCertificateFile(certPath);
  const { pem: keyPem, key } = await readPrivateKeyFile(keyPath);
  if (!certificate.checkPrivateKey(key)) {
    throw new StintError('STINT_ERR_CONFIG', `The TLS private key file ${keyPath} does not match the certificate in ${certPath}.`);
  }
  const { notAfter } = validity(certificate);
  const now = (options.clock ?? systemClock).now();
  if (!(notAfter > now)) {
    throw new StintError('STINT_ERR_CONFIG', `The TLS certificate in ${certPath} expired on ${new Date(notAfter).toISOString()}; install a renewed one.`);
  }
  if (caPath === undefined) return { certPem, keyPem, certPath, keyPath };
  const { pem: caCertPem } = await readCertificateFile(caPath, 'CA certificate');
  return { certPem, keyPem, certPath, keyPath, caCertPem, caPath };
}
