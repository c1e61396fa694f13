import { isIPv6, type Socket } from 'node:net';
import { formatDuration } from '../../time/duration.ts';
import { UPSTREAM_SQLSTATE, UpstreamError, errorCodeOf, isUpstreamError, networkReason, type UpstreamErrorKind } from './postgres-upstream-error.ts';
import { isWireProtocolError } from './postgres-wire-error.ts';

/**
 * One attempt to reach the upstream (a session or a cancel): it owns the
 * sockets it opens and the deadline. Whatever fails, and whenever the
 * deadline passes, every socket is destroyed and exactly one UpstreamError
 * comes out, worded for the phase the attempt was in.
 */

export type UpstreamPhase = 'connecting' | 'negotiating TLS' | 'authenticating' | 'starting the session' | 'sending the cancel request';

export interface AttemptTarget {
  readonly host: string;
  readonly port: number;
  readonly resource?: string;
}

/** "the database behind resource demo (127.0.0.1:5432)", or "the database at ..." when no resource is named. */
export function describeUpstream(target: AttemptTarget): string {
  const address = `${isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}`;
  return target.resource === undefined ? `the database at ${address}` : `the database behind resource ${target.resource} (${address})`;
}

// Codes Node and OpenSSL give certificate verification failures.
const CERTIFICATE_FAILURE = /^ERR_TLS_CERT|CERT|SIGNATURE|ISSUER/;

export class UpstreamAttempt {
  readonly label: string;
  readonly #timeoutMs: number;
  readonly #sockets: Socket[] = [];
  #phase: UpstreamPhase = 'connecting';
  #timedOut = false;

  constructor(target: AttemptTarget, timeoutMs: number) {
    this.label = describeUpstream(target);
    this.#timeoutMs = timeoutMs;
  }

  set phase(phase: UpstreamPhase) {
    this.#phase = phase;
  }

  /** Registers a socket so a failure or the deadline destroys it. */
  track<T extends Socket>(socket: T): T {
    this.#sockets.push(socket);
    return socket;
  }

  error(kind: UpstreamErrorKind, sqlstate: string, message: string, cause?: unknown): UpstreamError {
    return new UpstreamError({ kind, sqlstate, message, cause });
  }

  protocolError(detail: string, cause?: unknown): UpstreamError {
    return this.error('protocol', UPSTREAM_SQLSTATE.protocolViolation, `${this.label} broke the PostgreSQL protocol while ${this.#phase}: ${detail}`, cause);
  }

  closedError(): UpstreamError {
    return this.error('server', UPSTREAM_SQLSTATE.connectionFailure, `${this.label} closed the connection while ${this.#phase}`);
  }

  /** Runs `work` under the deadline; on any failure destroys every tracked socket and throws an UpstreamError. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        this.#timedOut = true;
        this.destroyAll();
        reject(new Error('deadline passed'));
      }, this.#timeoutMs);
    });
    const working = work();
    // Work still pending at the deadline (e.g. PBKDF2 on the thread pool) fails later; that failure is already reported.
    working.catch(() => undefined);
    try {
      return await Promise.race([working, deadline]);
    } catch (error) {
      this.destroyAll();
      throw this.#explain(error);
    } finally {
      clearTimeout(timer);
    }
  }

  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  #explain(error: unknown): UpstreamError {
    if (this.#timedOut) {
      const sqlstate = this.#phase === 'connecting' ? UPSTREAM_SQLSTATE.cannotConnect : UPSTREAM_SQLSTATE.connectionFailure;
      return this.error('timeout', sqlstate, `${this.label} did not answer within ${formatDuration(this.#timeoutMs)} while ${this.#phase}`, error);
    }
    if (isUpstreamError(error)) return error;
    // A message the parsers rejected (e.g. an Authentication request of the wrong length).
    if (isWireProtocolError(error)) return this.protocolError(error.message, error);
    const reason = networkReason(error);
    switch (this.#phase) {
      case 'connecting':
        return this.error('unreachable', UPSTREAM_SQLSTATE.cannotConnect, `${this.label} is unreachable: ${reason}`, error);
      case 'negotiating TLS': {
        const code = errorCodeOf(error) ?? '';
        const message = error instanceof Error ? error.message : reason;
        const text = CERTIFICATE_FAILURE.test(code)
          ? `${this.label} presented a TLS certificate that failed verification: ${message}`
          : `TLS with ${this.label} failed: ${message}`;
        return this.error('tls', UPSTREAM_SQLSTATE.cannotConnect, text, error);
      }
      case 'authenticating':
      case 'starting the session':
      case 'sending the cancel request':
        return this.error('server', UPSTREAM_SQLSTATE.connectionFailure, `the connection to ${this.label} broke while ${this.#phase}: ${reason}`, error);
    }
  }
}
