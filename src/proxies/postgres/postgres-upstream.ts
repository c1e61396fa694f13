import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { UpstreamAttempt } from './postgres-upstream-attempt.ts';
import { UpstreamAuthenticator } from './postgres-upstream-auth.ts';
import { UpstreamError } from './postgres-upstream-error.ts';
import { StartupReader } from './postgres-upstream-reader.ts';
import { negotiateTls, openTcp, type UpstreamTls } from './postgres-upstream-socket.ts';
import {
  cancelRequest,
  parseAuthentication,
  parseBackendKeyData,
  parseErrorFields,
  parseParameterStatus,
  parseReadyForQuery,
  startupMessage,
  type BackendFrame,
  type TransactionStatus,
} from './postgres-wire.ts';

/**
 * The gateway's own connection to the real database: it connects with the
 * resource's credential (the contractor never sees it), negotiates TLS,
 * authenticates and hands back a socket positioned right after the first
 * ReadyForQuery, ready for the session loop to relay.
 */

export { UPSTREAM_SQLSTATE, UpstreamError, isUpstreamError, type UpstreamErrorKind } from './postgres-upstream-error.ts';
export type { UpstreamTls } from './postgres-upstream-socket.ts';

export const DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

export interface UpstreamTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** The resolved secret; absent for trust authentication. */
  readonly password?: string;
  readonly tls: UpstreamTls;
  /** PEM CA certificate(s) to verify the server against (verify-full); Node's public roots when absent. */
  readonly ca?: string;
  /** Limit for the whole startup (connect, TLS, authentication, session start); default 10 s. */
  readonly connectTimeoutMs?: number;
  /** The policy resource name, so errors say which resource failed. */
  readonly resource?: string;
}

export interface UpstreamKey {
  readonly pid: number;
  readonly secretKey: Buffer;
}

export interface UpstreamConnection {
  /** Paused, positioned right after the first ReadyForQuery. Attach an 'error' listener at once. */
  readonly socket: Socket | TLSSocket;
  /** Every ParameterStatus received during startup, in order of arrival. */
  readonly parameters: ReadonlyMap<string, string>;
  /** Empty `secretKey` when the server sent no BackendKeyData (it then cannot be cancelled). */
  readonly backendKey: UpstreamKey;
  readonly transactionStatus: TransactionStatus;
  /** Bytes already read past ReadyForQuery (normally empty): feed them to the session loop first. */
  readonly leftover: Buffer;
  /** Raw NoticeResponse messages seen during startup, to relay to the client. */
  readonly notices: readonly Buffer[];
}

/**
 * Startup parameters that only the gateway may set: the identity comes from
 * the resource, and a replication connection speaks another protocol.
 */
const RESERVED_PARAMETERS = new Set(['user', 'database', 'replication']);

function startupParameters(target: UpstreamTarget, client: ReadonlyMap<string, string>): Map<string, string> {
  const params = new Map([
    ['user', target.user],
    ['database', target.database],
  ]);
  for (const [name, value] of client) if (!RESERVED_PARAMETERS.has(name)) params.set(name, value);
  return params;
}

/** Opens and authenticates a session on the upstream. Rejects with an UpstreamError; no socket outlives a failure. */
export async function connectUpstream(target: UpstreamTarget, startupParams: ReadonlyMap<string, string>): Promise<UpstreamConnection> {
  const attempt = new UpstreamAttempt(target, target.connectTimeoutMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS);
  return attempt.run(async () => {
    const socket = await negotiateTls(target, await openTcp(target, attempt), attempt);
    attempt.phase = 'authenticating';
    const reader = new StartupReader(socket, attempt);
    socket.write(startupMessage(startupParameters(target, startupParams)));
    const auth = new UpstreamAuthenticator(target, attempt);
    const parameters = new Map<string, string>();
    const notices: Buffer[] = [];
    let backendKey: UpstreamKey = { pid: 0, secretKey: Buffer.alloc(0) };
    const afterAuth = (frame: BackendFrame): void => {
      if (!auth.authenticated) throw attempt.protocolError(`message type "${frame.type}" before authentication completed`);
    };
    for (;;) {
      const frame = await reader.next();
      switch (frame.type) {
        case 'R': {
          const reply = await auth.respond(parseAuthentication(frame));
          if (reply !== null) socket.write(reply);
          if (auth.authenticated) attempt.phase = 'starting the session';
          break;
        }
        case 'E':
          throw serverRefusal(attempt, frame);
        case 'N':
          notices.push(Buffer.from(frame.raw));
          break;
        case 'S': {
          afterAuth(frame);
          const { name, value } = parseParameterStatus(frame);
          parameters.set(name, value);
          break;
        }
        case 'K': {
          afterAuth(frame);
          const key = parseBackendKeyData(frame);
          backendKey = { pid: key.pid, secretKey: Buffer.from(key.secretKey) };
          break;
        }
        case 'v':
          // NegotiateProtocolVersion: the server lacks a minor version or a _pq_ option the client
          // passed along; it carries on with what it has, as libpq does.
          break;
        case 'Z': {
          afterAuth(frame);
          const transactionStatus = parseReadyForQuery(frame);
          const leftover = reader.detach();
          return { socket, parameters, backendKey, transactionStatus, leftover, notices };
        }
        default:
          throw attempt.protocolError(`unexpected message type "${frame.type}" during startup`);
      }
    }
  });
}

function serverRefusal(attempt: UpstreamAttempt, frame: BackendFrame): UpstreamError {
  const server = parseErrorFields(frame);
  // Class 28 is "invalid authorization specification": wrong password, no pg_hba.conf entry, ...
  const kind = server.code.startsWith('28') ? 'auth' : 'server';
  return new UpstreamError({ kind, sqlstate: server.code, message: `${attempt.label} refused the connection: ${server.message}`, server });
}

/**
 * Asks the upstream to cancel the query running on the session `key`
 * names: a new connection carrying only a CancelRequest, closed once sent.
 * Where the resource requires TLS the request travels inside TLS too. A
 * server that simply closes the connection (it always does) is success.
 */
export async function cancelUpstream(target: UpstreamTarget, key: UpstreamKey): Promise<void> {
  if (key.secretKey.length === 0) return;
  const attempt = new UpstreamAttempt(target, target.connectTimeoutMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS);
  const transport = { ...target, tls: target.tls === 'prefer' ? 'disable' : target.tls } as const;
  const socket = await attempt.run(async () => negotiateTls(transport, await openTcp(transport, attempt), attempt));
  attempt.phase = 'sending the cancel request';
  await new Promise<void>((resolve) => {
    // The server reads the request and closes; its close, or any error after the write, ends the attempt.
    const timer = setTimeout(() => socket.destroy(), target.connectTimeoutMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.closed) {
      clearTimeout(timer);
      resolve();
      return;
    }
    socket.resume();
    socket.end(cancelRequest(key.pid, key.secretKey));
  });
  attempt.destroyAll();
}
