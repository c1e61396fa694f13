import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { SessionRegistry } from '../../sessions/session-registry.ts';
import type { LiveSession } from '../../sessions/live-session.ts';
import type { SessionEndReason, SessionTerminator } from '../../sessions/session-types.ts';
import type { Clock } from '../../time/clock.ts';
import type { CancelKeys } from './postgres-cancel-keys.ts';
import { loadSqlParser } from '../../sql/classify-sql.ts';
import { errorResponseFor, SQLSTATE } from './postgres-errors.ts';
import { ClientConnection } from './postgres-session-client.ts';
import { sessionResults } from './postgres-mask-session.ts';
import { Relay } from './postgres-session-relay.ts';
import { SessionStartup, type Established, type StartupDeps } from './postgres-session-startup.ts';
import type { OffloadedClassifier } from './postgres-statement-gate-offload.ts';
import { StatementGate } from './postgres-statement-gate.ts';
import { SessionSettings, unconfirmedReadOnly } from './postgres-session-settings.ts';
import {
  authenticationOk,
  backendKeyData,
  DEFAULT_MAX_MESSAGE_BYTES,
  parameterStatus,
  readyForQuery,
  terminate,
} from './postgres-wire.ts';

/**
 * One client connection, from its first byte to SESSION_ENDED. The startup
 * (TLS, token, decision, upstream) is SessionStartup's; the relay of an
 * established session is Relay's. This class owns the lifecycle: it opens
 * the live session in the registry, greets the client, and ends everything
 * exactly once, whoever asks (the client, the upstream, the registry's
 * expiry timer, a kill, a revocation, a protocol error, shutdown).
 */

export interface SessionDeps extends Omit<StartupDeps, 'onCancel'> {
  readonly sessions: SessionRegistry;
  readonly offload: OffloadedClassifier;
  readonly clock: Clock;
  readonly cancelKeys: CancelKeys<PostgresSession>;
}

/** How long the upstream gets to close after Terminate before its socket is destroyed. */
const UPSTREAM_CLOSE_GRACE_MS = 2000;

export class PostgresSession implements SessionTerminator {
  readonly #deps: SessionDeps;
  readonly #client: ClientConnection;
  readonly #logger: Logger;
  #established: Established | null = null;
  #live: LiveSession | null = null;
  #relay: Relay | null = null;
  #gate: StatementGate | null = null;
  #cancelPid: number | null = null;
  /** An end asked for before the session was fully open; acted on as soon as it is. */
  #pendingEnd: { reason: SessionEndReason; message: string } | null = null;
  #ending = false;
  #aborted = false;
  #finished: Promise<void> | null = null;

  constructor(deps: SessionDeps, socket: Socket) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ client: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` });
    this.#client = new ClientConnection(socket);
  }

  /** The live session, once open. */
  get live(): LiveSession | null {
    return this.#live;
  }

  /** Runs the connection to its end; never rejects. */
  async run(): Promise<void> {
    try {
      await this.#run();
    } catch (error) {
      this.#logger.error({ err: error }, 'postgres connection failed');
      this.#end('protocol_error', errorResponseFor({ code: SQLSTATE.internal_error, message: 'internal error in the Stint gateway', fatal: true }));
    }
    await this.#client.closed;
    await this.#finished;
  }

  /** Called by the registry (expiry, kill, revocation, shutdown): tell the client why, then close. */
  terminate(reason: SessionEndReason, message: string): void {
    if (this.#live === null || this.#relay === null) {
      this.#pendingEnd ??= { reason, message };
      return;
    }
    this.#end(reason, errorResponseFor({ code: SQLSTATE.admin_shutdown, message, fatal: true }));
  }

  /** Ends a connection that has not become a live session yet (server shutdown). */
  abortStartup(): void {
    this.#aborted = true;
    if (this.#live === null) this.#client.destroy();
  }

  /** A CancelRequest carried this session's key: cancel whatever runs upstream. */
  cancel(): void {
    const established = this.#established;
    if (established === null || this.#ending) return;
    this.#cancelUpstream(established);
  }

  /**
   * After an allowed decision: the session lasts as long as its longest-lived
   * allowed action (rights may have shortened), and ends when none is left.
   * Changes to the index between statements are the control plane's to
   * enforce (LiveEnforcement re-judges every live session the same way).
   */
  #recheckAccess(): void {
    const gate = this.#gate;
    const live = this.#live;
    if (gate === null || live === null || this.#ending) return;
    const expiry = gate.sessionExpiry();
    if ('lost' in expiry) live.end('access_lost', `Your access to ${gate.resource} ended: ${expiry.lost.message}.`);
    else live.setExpiry(expiry.expiresAt);
  }

  async #run(): Promise<void> {
    // The SQL parser (PostgreSQL's own, as WASM) loads with the first session, while it authenticates,
    // rather than when the listener starts: a gateway nobody uses stays small. Later sessions find it loaded.
    const parserReady = loadSqlParser().then(
      () => true,
      (error: unknown) => {
        this.#logger.error({ err: error }, 'the SQL parser could not be loaded');
        return false;
      },
    );
    const startup = new SessionStartup(this.#client, {
      ...this.#deps,
      onCancel: (pid, secretKey) => this.#deps.cancelKeys.find(pid, secretKey)?.cancel(),
    });
    const established = await startup.run();
    if (established === null) return;
    const { principal, resource, upstream } = established;
    // From here the session owns the upstream socket's errors; 'close' follows any error.
    upstream.socket.on('error', (error) => this.#logger.warn({ err: error }, 'upstream connection error'));
    if (this.#aborted) {
      // The gateway began shutting down while this connection was starting.
      upstream.socket.destroy();
      this.#client.destroy();
      return;
    }
    if (!(await parserReady)) {
      // Fail closed: without the parser no statement can be judged.
      upstream.socket.destroy();
      await startup.refuse({ code: SQLSTATE.internal_error, message: 'Stint could not load its SQL parser, so it cannot check statements; try again in a moment', reason: 'SQL_PARSER_UNAVAILABLE' });
      return;
    }
    const unconfirmed = unconfirmedReadOnly(established.managed, upstream.parameters);
    if (unconfirmed !== undefined) {
      // Fail closed: the read-only defence in depth would be missing without anyone knowing.
      upstream.socket.destroy();
      await startup.refuse({ code: SQLSTATE.internal_error, message: `${unconfirmed}; the session was refused, ask an administrator to check the resource's connection`, reason: 'READ_ONLY_NOT_CONFIRMED' });
      return;
    }
    this.#established = established;
    let live: LiveSession;
    try {
      live = await this.#deps.sessions.open(
        {
          protocol: 'postgres',
          contractor: principal.email,
          resource: resource.name,
          clientAddress: this.#client.remoteAddress,
          tls: this.#client.tls,
          tokenId: principal.tokenId,
          expiresAt: established.expiresAt,
        },
        this,
      );
    } catch (error) {
      this.#logger.error({ err: error }, 'could not open the session record');
      upstream.socket.destroy();
      await startup.refuse({ code: SQLSTATE.internal_error, message: 'Stint could not record the start of the session; try again in a moment', reason: 'SESSION_NOT_RECORDED' });
      return;
    }
    this.#live = live;
    this.#client.onBytes = (count) => (live.bytesIn += count);
    upstream.socket.once('close', () => this.#upstreamClosed());
    const settings = new SessionSettings(established.managed);
    const gate = new StatementGate({
      access: this.#deps.access,
      identity: { email: principal.email, tokenExpiresAt: principal.tokenExpiresAt, sessionStartedAt: live.startedAt },
      resource: resource.name,
      settings,
    });
    this.#gate = gate;
    const relay = new Relay({
      client: this.#client,
      offload: this.#deps.offload,
      upstream: upstream.socket,
      gate,
      audit: this.#deps.audit,
      clock: this.#deps.clock,
      logger: this.#logger,
      context: { sessionId: live.id, email: principal.email, resource: resource.name },
      status: upstream.transactionStatus,
      settings,
      counters: live,
      onAllowed: () => this.#recheckAccess(),
      results: sessionResults(this.#deps, established, { sessionId: live.id, email: principal.email, resource: resource.name }, this.#logger),
      end: (reason, fatal, goodbye) => this.#end(reason, fatal, goodbye === true),
    });
    this.#relay = relay;
    this.#greet(established);
    const pending = this.#pendingEnd;
    if (pending !== null || upstream.socket.destroyed) {
      if (pending !== null) this.terminate(pending.reason, pending.message);
      else this.#upstreamClosed();
      return;
    }
    await relay.run(upstream.leftover);
  }

  /** What a server sends after authentication: the upstream's parameters and notices, the gateway's own cancel key. */
  #greet(established: Established): void {
    const key = this.#deps.cancelKeys.issue(this);
    this.#cancelPid = key.pid;
    this.#client.decoder.setMaxMessageBytes(DEFAULT_MAX_MESSAGE_BYTES);
    const { upstream } = established;
    const parts = [authenticationOk()];
    for (const [name, value] of upstream.parameters) parts.push(parameterStatus(name, value));
    parts.push(...upstream.notices, backendKeyData(key.pid, key.secretKey), readyForQuery(upstream.transactionStatus));
    const greeting = Buffer.concat(parts);
    this.#live!.bytesOut += greeting.length;
    this.#client.write(greeting);
  }

  #upstreamClosed(): void {
    if (this.#ending) return;
    const relay = this.#relay;
    const resource = this.#established?.resource.name ?? 'the resource';
    const fatal =
      relay?.tracker.upstreamSentFatal === true
        ? null
        : errorResponseFor({ code: SQLSTATE.connection_failure, message: `the database behind resource ${resource} closed the connection`, fatal: true });
    this.#end('upstream_closed', fatal);
  }

  #cancelUpstream(established: Established): void {
    const { target, upstream } = established;
    this.#deps.upstream.cancel(target, upstream.backendKey).catch((error: unknown) => this.#logger.warn({ err: error }, 'could not cancel the upstream query'));
  }

  /** Ends the session exactly once: last word to the client, cancel and close upstream, then record the end. */
  #end(reason: SessionEndReason, fatal: Buffer | null, goodbye = false): void {
    if (this.#ending) return;
    this.#ending = true;
    const relay = this.#relay;
    relay?.stop();
    const established = this.#established;
    const busy = !goodbye && relay?.tracker.busy === true;
    if (established !== null && busy && reason !== 'upstream_closed') {
      // Whatever runs upstream would go on after the socket closes (PostgreSQL notices a gone client
      // only when it next writes to it); stop it now.
      this.#cancelUpstream(established);
    }
    this.#client.end(fatal);
    const upstreamClosed = established === null ? Promise.resolve() : closeUpstream(established.upstream.socket, busy);
    if (this.#cancelPid !== null) this.#deps.cancelKeys.release(this.#cancelPid);
    const live = this.#live;
    this.#finished = Promise.all([this.#client.closed, upstreamClosed]).then(async () => {
      if (live !== null) await live.finish(reason);
    });
  }
}

/** Says goodbye with Terminate (the server runs what it was sent first); a busy one is cut (its query was cancelled). */
function closeUpstream(socket: Socket, busy: boolean): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (busy || !socket.writable) {
    socket.destroy();
    return closed;
  }
  socket.end(terminate());
  const timer = setTimeout(() => socket.destroy(), UPSTREAM_CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  return closed;
}
