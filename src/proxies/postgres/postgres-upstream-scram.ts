import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { scramPassword } from './postgres-upstream-saslprep.ts';

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL
 * speaks it. Channel binding (SCRAM-SHA-256-PLUS) is not offered, so the GS2
 * header is "n,,". The exchange is only complete once the server has proved
 * it knows the password too (its signature in server-final-message): a
 * server that skips or fakes that proof is refused.
 */

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';

/**
 * PBKDF2 runs on libuv's thread pool and cannot be stopped once started; the
 * cap keeps a hostile or misconfigured server from parking a thread for
 * minutes. PostgreSQL's default is 4096.
 */
export const MAX_SCRAM_ITERATIONS = 1_000_000;

const GS2_HEADER = 'n,,';
const NONCE_BYTES = 18;

const derive = promisify(pbkdf2);

/** A SCRAM failure: `auth` when the server failed to prove itself or refused us, `protocol` for malformed messages. */
export class ScramError extends Error {
  readonly kind: 'auth' | 'protocol';

  constructor(kind: 'auth' | 'protocol', message: string) {
    super(message);
    this.name = 'ScramError';
    this.kind = kind;
  }
}

function hmac(key: Buffer, text: string | Buffer): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** RFC 5802 saslname: "=" and "," are the only characters escaped. */
function saslName(name: string): string {
  return name.replaceAll('=', '=3D').replaceAll(',', '=2C');
}

/** Splits "a=1,b=2" into ordered attributes; values may themselves hold "=" (base64). */
function attributes(message: string, what: string): [string, string][] {
  return message.split(',').map((part) => {
    if (!/^[A-Za-z]=/.test(part)) throw new ScramError('protocol', `malformed SCRAM ${what}: "${part.slice(0, 40)}" is not an attribute`);
    return [part[0]!, part.slice(2)];
  });
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// Printable ASCII except ",", as RFC 5802 defines a nonce.
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

function base64(value: string, what: string): Buffer {
  if (value === '' || !BASE64.test(value)) throw new ScramError('protocol', `the SCRAM ${what} is not base64`);
  return Buffer.from(value, 'base64');
}

export interface ScramOptions {
  /** Fixed client nonce, for test vectors only; normally 18 random bytes. */
  readonly nonce?: string;
  /** PostgreSQL ignores the SCRAM user name (the startup user counts) and libpq sends it empty. */
  readonly username?: string;
}

type Step = 'first' | 'final' | 'verify' | 'done' | 'failed';

/** One SCRAM-SHA-256 exchange; each step may be taken once, in order. */
export class ScramSha256Client {
  readonly #password: string;
  readonly #nonce: string;
  readonly #clientFirstBare: string;
  #step: Step = 'first';
  #serverSignature: Buffer | null = null;

  constructor(password: string, options: ScramOptions = {}) {
    this.#password = password;
    this.#nonce = options.nonce ?? randomBytes(NONCE_BYTES).toString('base64');
    if (!NONCE.test(this.#nonce)) throw new RangeError('a SCRAM nonce is printable ASCII without ","');
    this.#clientFirstBare = `n=${saslName(options.username ?? '')},r=${this.#nonce}`;
  }

  /** True once the server's signature has been checked. */
  get verified(): boolean {
    return this.#step === 'done';
  }

  clientFirstMessage(): string {
    this.#advance('first', 'final');
    return GS2_HEADER + this.#clientFirstBare;
  }

  /** Answers server-first-message (r, s, i) with client-final-message (c, r, p). */
  async clientFinalMessage(serverFirst: string): Promise<string> {
    this.#advance('final', 'verify');
    const attrs = attributes(serverFirst, 'server-first-message');
    if (attrs[0]?.[0] === 'm') throw new ScramError('protocol', 'the server requires a SCRAM extension (m=) that is not supported');
    const [[r, serverNonce] = ['', ''], [s, salt64] = ['', ''], [i, iterationText] = ['', '']] = attrs;
    if (r !== 'r' || s !== 's' || i !== 'i') throw new ScramError('protocol', 'malformed SCRAM server-first-message: expected r=, s= and i=');
    // The server extends our nonce; anything else could be a replay of another exchange.
    if (!serverNonce.startsWith(this.#nonce) || serverNonce.length === this.#nonce.length || !NONCE.test(serverNonce)) {
      throw new ScramError('auth', 'the server’s SCRAM nonce does not extend the client nonce');
    }
    const salt = base64(salt64, 'salt');
    const iterations = /^[1-9]\d{0,9}$/.test(iterationText) ? Number(iterationText) : 0;
    if (iterations < 1 || iterations > MAX_SCRAM_ITERATIONS) {
      throw new ScramError('protocol', `the SCRAM iteration count "${iterationText.slice(0, 12)}" is not between 1 and ${MAX_SCRAM_ITERATIONS}`);
    }
    const saltedPassword = await derive(scramPassword(this.#password), salt, iterations, 32, 'sha256');
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${serverNonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(saltedPassword, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const clientProof = xor(clientKey, hmac(storedKey, authMessage));
    this.#serverSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
    return `${withoutProof},p=${clientProof.toString('base64')}`;
  }

  /** Checks server-final-message; throws unless it carries exactly the signature only the password yields. */
  verifyServerFinal(serverFinal: string): void {
    // Failed until proven otherwise, so `verified` never reports a signature that did not check out.
    this.#advance('verify', 'failed');
    const [[name, value] = ['', '']] = attributes(serverFinal, 'server-final-message');
    if (name === 'e') throw new ScramError('auth', `the server rejected the SCRAM exchange: ${value.slice(0, 200)}`);
    if (name !== 'v') throw new ScramError('protocol', 'malformed SCRAM server-final-message: expected v=');
    const signature = base64(value, 'server signature');
    const expected = this.#serverSignature!;
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
      throw new ScramError('auth', 'the server’s SCRAM signature is wrong: it does not know the password, so it is not the database it claims to be');
    }
    this.#step = 'done';
  }

  #advance(expected: Step, next: Step): void {
    if (this.#step !== expected) throw new ScramError('protocol', `SCRAM message out of order (expected the ${expected} step, at the ${this.#step} step)`);
    this.#step = next;
  }
}
