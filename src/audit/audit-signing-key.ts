import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StintError } from '../errors/stint-error.ts';
import { canonicalJson } from '../util/canonical-json.ts';

export const SIGNING_KEY_FILE = 'audit-signing.key';
export const PUBLIC_KEY_FILE = 'audit-signing.pub';

/** The Ed25519 key that signs checkpoints. The private half never leaves this process. */
export interface SigningKey {
  /** First 16 hex characters of sha256(SPKI DER): names the key in checkpoints and reports. */
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** SPKI PEM, as written to audit-signing.pub and stored on each checkpoint. */
  readonly publicKeyPem: string;
}

/**
 * Loads the checkpoint signing key from the data directory, creating it on
 * first start: `audit-signing.key` (PKCS8 PEM, mode 0600) and
 * `audit-signing.pub` (SPKI PEM). Keep a copy of the .pub elsewhere: verifying
 * against that copy is what makes a re-signed forgery detectable.
 */
export function loadOrCreateSigningKey(dataDir: string): SigningKey {
  const keyPath = join(dataDir, SIGNING_KEY_FILE);
  const pubPath = join(dataDir, PUBLIC_KEY_FILE);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    let privatePem = readIfExists(keyPath);
    if (privatePem === undefined) {
      const pair = generateKeyPairSync('ed25519');
      const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      try {
        // 'wx': if another process created the key a moment ago, keep theirs.
        writeFileSync(keyPath, pem, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      privatePem = readFileSync(keyPath, 'utf8');
    }
    // The umask or a copy may have widened it; the key must stay owner-only.
    if ((statSync(keyPath).mode & 0o077) !== 0) chmodSync(keyPath, 0o600);
    const privateKey = createPrivateKey(privatePem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${keyPath} is not an Ed25519 key`);
    const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const storedPub = readIfExists(pubPath);
    if (storedPub === undefined) {
      writeFileSync(pubPath, publicKeyPem, { mode: 0o644 });
    } else if (keyIdOf(storedPub) !== keyIdOf(publicKeyPem)) {
      throw new StintError('STINT_ERR_CONFIG', `${pubPath} does not match ${keyPath}; restore the matching pair, or delete ${pubPath} to write it again from the key.`);
    }
    return { keyId: keyIdOf(publicKeyPem), privateKey, publicKeyPem };
  } catch (error) {
    if (error instanceof StintError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StintError('STINT_ERR_CONFIG', `The audit signing key in ${dataDir} cannot be loaded or created: ${reason}`, [], { cause: error });
  }
}

/** key_id = first 16 hex of sha256(SPKI DER). Throws on text that is not a public key. */
export function keyIdOf(publicKeyPem: string | KeyObject): string {
  const key = typeof publicKeyPem === 'string' ? createPublicKey(publicKeyPem) : publicKeyPem;
  const der = key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointMessage(checkpoint: { readonly seq: number; readonly hash: string; readonly ts: number }): Buffer {
  return Buffer.from(canonicalJson({ seq: checkpoint.seq, hash: checkpoint.hash, ts: checkpoint.ts }));
}

/** Signs a checkpoint; returns the signature in base64. */
export function signCheckpoint(key: SigningKey, checkpoint: { readonly seq: number; readonly hash: string; readonly ts: number }): string {
  return sign(null, checkpointMessage(checkpoint), key.privateKey).toString('base64');
}

/** True only if the signature is valid for this key; malformed keys or signatures are simply false. */
export function verifyCheckpointSignature(
  publicKey: KeyObject,
  checkpoint: { readonly seq: number; readonly hash: string; readonly ts: number },
  signatureBase64: string,
): boolean {
  try {
    return verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Public keys of other nodes sharing the store, one SPKI PEM file each, trusted for verification. */
export const TRUSTED_KEYS_DIR = 'audit-trusted-keys';

/**
 * The keys `audit verify` trusts for a data directory: its own
 * audit-signing.pub, plus every `*.pem` or `*.pub` in `<data>/audit-trusted-keys/`
 * (copy each other node's audit-signing.pub there when several nodes share one
 * PostgreSQL store).
 */
export function trustedPublicKeys(dataDir: string): string[] {
  const files = [join(dataDir, PUBLIC_KEY_FILE)].filter((file) => existsSync(file));
  const dir = join(dataDir, TRUSTED_KEYS_DIR);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) if (/\.(pem|pub)$/.test(name)) files.push(join(dir, name));
  }
  return files.map((file) => readFileSync(file, 'utf8'));
}
