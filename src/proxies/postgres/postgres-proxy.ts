import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { AuditSink } from '../../audit/audit-event.ts';
import type { AccessState } from '../../control/access-state.ts';
import type { TokenService } from '../../identity/token-service.ts';
import type { ResourceSpec } from '../../policy/policy-types.ts';
import type { SessionRegistry } from '../../sessions/session-registry.ts';
import type { Clock } from '../../time/clock.ts';
import { CancelKeys } from './postgres-cancel-keys.ts';
import { PostgresSession, type SessionDeps } from './postgres-session.ts';
import { OffloadedClassifier } from './postgres-statement-gate-offload.ts';
import { cancelUpstream, connectUpstream, type UpstreamTarget } from './postgres-upstream.ts';

/**
 * The PostgreSQL gateway's listener: contractors connect here with their own
 * clients (database = resource, password = Stint token) and each connection
 * becomes a PostgresSession. See docs/protocols/postgres.md.
 */

export interface PostgresProxyOptions {
  readonly access: AccessState;
  readonly tokens: TokenService;
  readonly audit: AuditSink;
  readonly sessions: SessionRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Server certificate and key (PEM); null answers every SSLRequest with 'N'. */
  readonly tls: { readonly key: string; readonly cert: string } | null;
  /** Accept plain TCP from non-loopback clients (default false: they must use TLS). */
  readonly allowPlaintextRemote?: boolean;
  /** The real target of a resource, with its credential resolved. */
  upstreamTarget(resource: ResourceSpec): UpstreamTarget;
  /** Replaceable for tests. */
  readonly upstream?: { readonly connect: typeof connectUpstream; readonly cancel: typeof cancelUpstream };
  /** Authentication must complete within this time (default 10 s). */
  readonly startupTimeoutMs?: number;
}

const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;
/** How long close() waits for sessions to tell their clients and record their end. */
const CLOSE_WAIT_MS = 5000;

export class PostgresProxy {
  readonly #deps: SessionDeps;
  readonly #logger: Logger;
  readonly #connections = new Map<PostgresSession, Promise<void>>();
  #server: Server | null = null;
  #closing = false;

  constructor(options: PostgresProxyOptions) {
    this.#logger = options.logger.child({ proxy: 'postgres' });
    this.#deps = {
      access: options.access,
      tokens: options.tokens,
      audit: options.audit,
      sessions: options.sessions,
      clock: options.clock,
      logger: this.#logger,
      tls: options.tls === null ? null : createSecureContext({ key: options.tls.key, cert: options.tls.cert }),
      allowPlaintextRemote: options.allowPlaintextRemote ?? false,
      startupTimeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
      upstreamTarget: (resource) => options.upstreamTarget(resource),
      upstream: options.upstream ?? { connect: connectUpstream, cancel: cancelUpstream },
      cancelKeys: new CancelKeys<PostgresSession>(),
      offload: new OffloadedClassifier(this.#logger),
    };
  }

  /** Starts listening; port 0 picks a free port. Resolves with the address actually bound. */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    if (this.#server !== null) throw new Error('the PostgreSQL gateway is already listening');
    // The SQL parser loads with the first session (PostgresSession), not here: an idle gateway stays small.
    const server = createServer((socket) => this.#accept(socket));
    server.on('error', (error) => this.#logger.error({ err: error }, 'listener error'));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.#server = server;
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? { host: address.address, port: address.port } : { host, port };
    this.#logger.info(bound, 'PostgreSQL gateway listening');
    return bound;
  }

  /** Stops listening and ends every session (clients are told the gateway is shutting down). */
  async close(): Promise<void> {
    this.#closing = true;
    const server = this.#server;
    this.#server = null;
    const stopped = server === null ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of this.#connections.keys()) {
      const live = session.live;
      if (live !== null) live.end('server_shutdown', 'The Stint gateway is shutting down; reconnect in a moment.');
      else session.abortStartup();
    }
    const all = Promise.all(this.#connections.values());
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    await stopped;
    await this.#deps.offload.close();
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const session = new PostgresSession(this.#deps, socket);
    const done = session.run().finally(() => this.#connections.delete(session));
    this.#connections.set(session, done);
  }
}
