import { createHash } from 'node:crypto';
import type { UpstreamAttempt } from './postgres-upstream-attempt.ts';
import { UPSTREAM_SQLSTATE, type UpstreamError } from './postgres-upstream-error.ts';
import { SCRAM_SHA_256, ScramError, ScramSha256Client } from './postgres-upstream-scram.ts';
import { passwordMessage, saslInitialResponse, saslResponse, type AuthenticationRequest } from './postgres-wire.ts';

/**
 * Answers the upstream's authentication requests with the resource's
 * credential: trust, cleartext, MD5 and SCRAM-SHA-256. Each answer is the
 * message to send (or null); the exchange is over once `authenticated`.
 */

export interface AuthTarget {
  readonly user: string;
  readonly password?: string;
  readonly resource?: string;
}

// Methods PostgreSQL may ask for that the gateway cannot answer with a stored password.
const OTHER_METHODS: Readonly<Record<number, string>> = {
  2: 'Kerberos V5',
  6: 'SCM credentials',
  7: 'GSSAPI',
  8: 'GSSAPI',
  9: 'SSPI',
};

function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** PostgreSQL's MD5 answer: "md5" + md5(md5(password + user) + salt), salt as raw bytes. */
export function md5PasswordHash(user: string, password: string, salt: Uint8Array): string {
  return 'md5' + md5Hex(Buffer.concat([Buffer.from(md5Hex(password + user)), salt]));
}

export class UpstreamAuthenticator {
  readonly #target: AuthTarget;
  readonly #attempt: UpstreamAttempt;
  #scram: ScramSha256Client | null = null;
  #authenticated = false;

  constructor(target: AuthTarget, attempt: UpstreamAttempt) {
    this.#target = target;
    this.#attempt = attempt;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  async respond(request: AuthenticationRequest): Promise<Buffer | null> {
    if (this.#authenticated) throw this.#attempt.protocolError('an authentication request after AuthenticationOk');
    try {
      return await this.#respond(request);
    } catch (error) {
      if (error instanceof ScramError) {
        throw error.kind === 'auth'
          ? this.#authError(`SCRAM authentication with ${this.#attempt.label} failed: ${error.message}`, error)
          : this.#attempt.protocolError(error.message, error);
      }
      throw error;
    }
  }

  async #respond(request: AuthenticationRequest): Promise<Buffer | null> {
    switch (request.kind) {
      case 'ok':
        // A server that skips server-final-message has not proved it knows the password.
        if (this.#scram !== null && !this.#scram.verified) {
          throw this.#authError(`${this.#attempt.label} ended SCRAM authentication without proving it knows the password (no server signature)`);
        }
        this.#authenticated = true;
        return null;
      case 'cleartextPassword':
        this.#noScram(request.kind);
        return passwordMessage(this.#password());
      case 'md5Password':
        this.#noScram(request.kind);
        return passwordMessage(md5PasswordHash(this.#target.user, this.#password(), request.salt));
      case 'sasl': {
        this.#noScram(request.kind);
        if (!request.mechanisms.includes(SCRAM_SHA_256)) {
          throw this.#authError(
            `${this.#attempt.label} offers SASL mechanisms ${request.mechanisms.join(', ') || '(none)'}; the gateway speaks ${SCRAM_SHA_256}`,
          );
        }
        const scram = new ScramSha256Client(this.#password());
        this.#scram = scram;
        return saslInitialResponse(SCRAM_SHA_256, Buffer.from(scram.clientFirstMessage(), 'utf8'));
      }
      case 'saslContinue':
        return saslResponse(Buffer.from(await this.#requireScram(request.kind).clientFinalMessage(request.data.toString('utf8')), 'utf8'));
      case 'saslFinal':
        this.#requireScram(request.kind).verifyServerFinal(request.data.toString('utf8'));
        return null;
      case 'other': {
        const method = OTHER_METHODS[request.subtype] ?? `method ${request.subtype}`;
        throw this.#authError(`${this.#attempt.label} asks for ${method} authentication, which the gateway does not support; allow password (scram-sha-256) authentication for its user`);
      }
    }
  }

  #password(): string {
    const password = this.#target.password;
    if (password !== undefined) return password;
    throw this.#authError(
      this.#target.resource === undefined
        ? `${this.#attempt.label} asks for a password: set credentials.password in the policy`
        : `resource ${this.#target.resource} needs a password: set credentials.password in the policy`,
    );
  }

  #noScram(kind: string): void {
    if (this.#scram !== null) throw this.#attempt.protocolError(`a ${kind} request in the middle of SASL authentication`);
  }

  #requireScram(kind: string): ScramSha256Client {
    if (this.#scram === null) throw this.#attempt.protocolError(`a ${kind} message without SASL authentication under way`);
    return this.#scram;
  }

  #authError(message: string, cause?: unknown): UpstreamError {
    return this.#attempt.error('auth', UPSTREAM_SQLSTATE.invalidAuthorization, message, cause);
  }
}
