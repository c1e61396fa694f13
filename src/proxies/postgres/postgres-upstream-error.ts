import type { ParsedErrorFields } from './postgres-wire-backend-parse.ts';

/**
 * Why the gateway could not open its own session with the real database.
 * The message is written for the contractor whose connection is waiting on
 * it (it names the resource and address, never a credential); the proxy
 * relays it in an ErrorResponse with `sqlstate`.
 */
export type UpstreamErrorKind = 'unreachable' | 'tls' | 'auth' | 'server' | 'timeout' | 'protocol';

/** SQLSTATEs of the failures the gateway detects itself (PostgreSQL Appendix A). */
export const UPSTREAM_SQLSTATE = {
  /** sqlclient_unable_to_establish_sqlconnection: nothing was set up. */
  cannotConnect: '08001',
  /** connection_failure: a connection existed and broke. */
  connectionFailure: '08006',
  protocolViolation: '08P01',
  invalidAuthorization: '28000',
} as const;

export interface UpstreamErrorInput {
  readonly kind: UpstreamErrorKind;
  readonly sqlstate: string;
  readonly message: string;
  /** The server's own ErrorResponse, when the failure is one. */
  readonly server?: ParsedErrorFields;
  readonly cause?: unknown;
}

export class UpstreamError extends Error {
  readonly kind: UpstreamErrorKind;
  readonly sqlstate: string;
  readonly server: ParsedErrorFields | undefined;

  constructor(input: UpstreamErrorInput) {
    super(input.message, input.cause === undefined ? undefined : { cause: input.cause });
    this.name = 'UpstreamError';
    this.kind = input.kind;
    this.sqlstate = input.sqlstate;
    this.server = input.server;
  }
}

export function isUpstreamError(value: unknown): value is UpstreamError {
  return value instanceof UpstreamError;
}

/** Socket error codes in words a contractor can act on (or pass to an operator). */
const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'no route to host',
  EHOSTDOWN: 'host is down',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'address not available',
};

export function errorCodeOf(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

export function networkReason(error: unknown): string {
  const code = errorCodeOf(error);
  if (code !== undefined) return NETWORK_REASONS[code] ?? code;
  return error instanceof Error ? error.message : 'network error';
}
