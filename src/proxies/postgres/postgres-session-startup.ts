import { isIP } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { ACTIONS } from '../../access/access-model.ts';
import type { Decision } from '../../access/decision.ts';
import { unknownResourceMessage } from '../../access/decision-messages.ts';
import { mayChangeData, statementTimeoutLimit } from '../../access/statement-session-settings.ts';
import type { AuditSink } from '../../audit/audit-event.ts';
import type { AccessState } from '../../control/access-state.ts';
import type { Principal, TokenService } from '../../identity/token-service.ts';
import type { ResourceSpec } from '../../policy/policy-types.ts';
import { errorResponseFor, errorResponseForWireError, SQLSTATE } from './postgres-errors.ts';
import type { ClientConnection } from './postgres-session-client.ts';
import { upstreamStartupParams, type ManagedStartup } from './postgres-session-settings.ts';
import { vetStartupParams, type VettedStartup } from './postgres-startup-params.ts';
import { isUpstreamError, type cancelUpstream, type connectUpstream, type UpstreamConnection, type UpstreamTarget } from './postgres-upstream.ts';
import { authenticationCleartextPassword, negotiateProtocolVersion, sslResponse, type FrontendMessage, type StartupMessage } from './postgres-wire.ts';

/**
 * A connection's way from its first byte to an authenticated, allowed,
 * upstream-connected session: TLS negotiation, startup parameters, the token
 * as cleartext password, the access decision, and only then the upstream.
 * Every refusal after the StartupMessage is recorded as SESSION_REFUSED
 * before the client reads it.
 */

export interface UpstreamConnector {
  readonly connect: typeof connectUpstream;
  readonly cancel: typeof cancelUpstream;
}

export interface StartupDeps {
  readonly access: AccessState;
  readonly tokens: TokenService;
  readonly audit: AuditSink;
  readonly logger: Logger;
  readonly tls: SecureContext | null;
  readonly allowPlaintextRemote: boolean;
  readonly startupTimeoutMs: number;
  readonly upstreamTarget: (resource: ResourceSpec) => UpstreamTarget;
  readonly upstream: UpstreamConnector;
  /** A CancelRequest arrived on this connection. */
  readonly onCancel: (pid: number, secretKey: Buffer) => void;
}

export interface Established {
  readonly principal: Principal;
  readonly resource: ResourceSpec;
  readonly target: UpstreamTarget;
  readonly upstream: UpstreamConnection;
  readonly vetted: VettedStartup;
  /** The upstream settings the gateway started the session with (statement_timeout, read-only). */
  readonly managed: ManagedStartup;
  /** When the session's access ends (the latest expiry among the actions allowed). */
  readonly expiresAt: number | null;
}

interface RefusalInput {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly reason: string;
}

interface Attempt {
  actor: string;
  resource: string | null;
  claimedUser: string | null;
}

const TIMED_OUT = Symbol('timed out');

export function isLoopback(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1';
}

export class SessionStartup {
  readonly #client: ClientConnection;
  readonly #deps: StartupDeps;
  readonly #deadline: Promise<typeof TIMED_OUT>;
  readonly #attempt: Attempt;
  #timer: NodeJS.Timeout | undefined;

  constructor(client: ClientConnection, deps: StartupDeps) {
    this.#client = client;
    this.#deps = deps;
    this.#attempt = { actor: `anonymous@${client.remoteAddress}`, resource: null, claimedUser: null };
    this.#deadline = new Promise((resolve) => {
      this.#timer = setTimeout(() => resolve(TIMED_OUT), deps.startupTimeoutMs);
      this.#timer.unref();
    });
  }

  /** Resolves with the established session, or null once the connection was refused, cancelled or lost. */
  async run(): Promise<Established | null> {
    try {
      const startup = await this.#negotiate();
      if (startup === null) return null;
      return await this.#authenticate(startup);
    } finally {
      clearTimeout(this.#timer);
    }
  }

  /** Everything a refusal answers and records; exported to the session for failures after startup. */
  async refuse(refusal: RefusalInput): Promise<null> {
    const { actor, resource, claimedUser } = this.#attempt;
    const address = this.#client.remoteAddress;
    try {
      await this.#deps.audit.append({
        code: 'SESSION_REFUSED',
        actor,
        resource,
        subject: claimedUser,
        summary: `Connection from ${address} to ${resource ?? 'an unnamed resource'} over postgres refused (${refusal.reason}): ${refusal.message}`,
        data: { protocol: 'postgres', reason: refusal.reason, clientAddress: address, tls: this.#client.tls, claimedUser, sqlstate: refusal.code, message: refusal.message },
      });
    } catch (error) {
      // The refusal stands either way; only its record is missing.
      this.#deps.logger.error({ err: error, reason: refusal.reason }, 'could not record a refused connection');
    }
    this.#client.end(errorResponseFor({ ...refusal, fatal: true }));
    return null;
  }

  async #next(): Promise<FrontendMessage | null | typeof TIMED_OUT> {
    return Promise.race([this.#client.next(), this.#deadline]);
  }

  /** A message the startup cannot go on with: timeout, hang-up or protocol error. */
  async #broken(message: null | typeof TIMED_OUT, recorded: boolean): Promise<null> {
    const failure = this.#client.failure;
    if (message === TIMED_OUT) {
      const refusal = { code: SQLSTATE.query_canceled, message: 'canceling authentication due to timeout', reason: 'STARTUP_TIMEOUT' };
      if (recorded) return this.refuse(refusal);
      this.#client.end(errorResponseFor({ ...refusal, fatal: true }));
    } else if (failure !== null) {
      if (recorded) return this.refuse({ code: failure.sqlstate, message: failure.message, reason: 'PROTOCOL_ERROR' });
      this.#client.end(errorResponseForWireError(failure));
    } else {
      // The client hung up (psql does, to ask for a password, then connects again).
      this.#client.destroy();
    }
    return null;
  }

  async #negotiate(): Promise<StartupMessage | null> {
    for (;;) {
      const message = await this.#next();
      if (message === null || message === TIMED_OUT) return this.#broken(message, false);
      switch (message.type) {
        case 'sslRequest':
          if (this.#deps.tls !== null && !this.#client.tls) {
            // A client that never finishes the handshake is held no longer than any other startup.
            const upgraded = await Promise.race([this.#client.upgrade(this.#deps.tls), this.#deadline]);
            if (upgraded !== true) {
              this.#client.destroy();
              return null;
            }
          } else {
            this.#client.write(sslResponse(false));
          }
          break;
        case 'gssEncRequest':
          this.#client.write(sslResponse(false));
          break;
        case 'cancelRequest':
          this.#deps.onCancel(message.pid, message.secretKey);
          this.#client.destroy();
          return null;
        case 'startup':
          return message;
        default:
          // The decoder yields only startup packets in this phase.
          this.#client.destroy();
          return null;
      }
    }
  }

  async #authenticate(startup: StartupMessage): Promise<Established | null> {
    const attempt = this.#attempt;
    attempt.claimedUser = startup.params.get('user') ?? null;
    attempt.resource = startup.params.get('database') ?? attempt.claimedUser;
    if (!this.#client.tls && !this.#deps.allowPlaintextRemote && !isLoopback(this.#client.remoteAddress)) {
      return this.refuse({
        code: SQLSTATE.invalid_authorization_specification,
        message: 'TLS is required; connect with sslmode=require',
        reason: 'TLS_REQUIRED',
      });
    }
    const vetted = vetStartupParams(startup.params);
    if (!vetted.ok) return this.refuse(vetted);
    attempt.resource = vetted.database;
    if (startup.protocol.minor > 0 || vetted.protocolOptions.length > 0) {
      this.#client.write(negotiateProtocolVersion(0, vetted.protocolOptions));
    }
    this.#client.write(authenticationCleartextPassword());
    const reply = await this.#next();
    if (reply === null || reply === TIMED_OUT) return this.#broken(reply, reply === TIMED_OUT || this.#client.failure !== null);
    if (reply.type !== 'password') {
      return this.refuse({ code: SQLSTATE.protocol_violation, message: `expected a password message, got ${reply.type}`, reason: 'PROTOCOL_ERROR' });
    }

    let auth;
    try {
      auth = await this.#deps.tokens.authenticate(reply.password, { ip: this.#client.remoteAddress, via: 'postgres' });
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'token check failed');
      this.#client.end(errorResponseFor({ code: SQLSTATE.internal_error, message: 'Stint cannot check tokens right now; try again in a moment', fatal: true }));
      return null;
    }
    if (!auth.ok) return this.refuse({ code: SQLSTATE.invalid_password, message: auth.message, reason: auth.code });
    const { principal } = auth;
    attempt.actor = principal.email;
    if (principal.kind !== 'contractor') {
      return this.refuse({
        code: SQLSTATE.invalid_authorization_specification,
        message: 'only contractor tokens connect to resources',
        hint: 'staff and admin tokens are for the Stint API and CLI; connect with a contractor token',
        reason: 'NOT_A_CONTRACTOR',
      });
    }
    return this.#admit(principal, vetted);
  }

  async #admit(principal: Principal, vetted: VettedStartup): Promise<Established | null> {
    const resource = this.#deps.access.resource(vetted.database);
    if (resource === undefined) {
      return this.refuse({ code: SQLSTATE.invalid_catalog_name, message: unknownResourceMessage(vetted.database), reason: 'DENY_UNKNOWN_RESOURCE' });
    }
    if (resource.kind !== 'postgres') {
      return this.refuse({
        code: SQLSTATE.invalid_catalog_name,
        message: `resource "${resource.name}" is not a PostgreSQL database (kind ${resource.kind})`,
        reason: 'WRONG_PROTOCOL',
      });
    }
    let access = this.#decideAll(principal, resource.name);
    if (!access.allowed && access.first.reason === 'DENY_UNKNOWN_SUBJECT') {
      // A contractor who accepted an invite a moment ago may not be in this node's index yet.
      await this.#deps.access.refresh();
      access = this.#decideAll(principal, resource.name);
    }
    if (!access.allowed) {
      return this.refuse({ code: SQLSTATE.invalid_authorization_specification, message: access.first.message, reason: access.first.reason });
    }

    let target: UpstreamTarget;
    try {
      target = this.#deps.upstreamTarget(resource);
    } catch (error) {
      this.#deps.logger.error({ err: error, resource: resource.name }, 'cannot build the upstream target');
      return this.refuse({
        code: SQLSTATE.connection_failure,
        message: `the gateway cannot connect to the database behind resource ${resource.name}: its configuration is incomplete; tell your sponsor`,
        reason: 'UPSTREAM_CONFIG',
      });
    }
    const identity = { email: principal.email, tokenExpiresAt: principal.tokenExpiresAt };
    const managed: ManagedStartup = {
      statementTimeout: statementTimeoutLimit(this.#deps.access.index(), resource.name),
      readOnly: !mayChangeData((action) => this.#deps.access.decideStatement(identity, resource.name, action, { tablesRead: [], tablesWritten: [] })),
    };
    try {
      const upstream = await this.#deps.upstream.connect(target, upstreamStartupParams(vetted.forward, managed));
      return { principal, resource, target, upstream, vetted, managed, expiresAt: access.expiresAt };
    } catch (error) {
      this.#deps.logger.warn({ err: error, resource: resource.name }, 'upstream connection failed');
      if (isUpstreamError(error)) return this.refuse({ code: error.sqlstate, message: error.message, reason: `UPSTREAM_${error.kind.toUpperCase()}` });
      // Only UpstreamError messages are written for contractors; anything else stays in the log.
      return this.refuse({
        code: SQLSTATE.connection_failure,
        message: `the gateway could not connect to the database behind resource ${resource.name}; tell your sponsor if this persists`,
        reason: 'UPSTREAM_FAILED',
      });
    }
  }

  /** The connection is allowed if any action is; it lasts as long as the longest-lived of them. */
  #decideAll(principal: Principal, resource: string): { allowed: boolean; expiresAt: number | null; first: Decision } {
    const identity = { email: principal.email, tokenExpiresAt: principal.tokenExpiresAt };
    let first: Decision | null = null;
    let allowed = false;
    let expiresAt: number | null = null;
    for (const action of ACTIONS) {
      const decision = this.#deps.access.decide(identity, resource, action);
      first ??= decision;
      if (!decision.allow) continue;
      allowed = true;
      if (decision.expiresAt !== null && (expiresAt === null || decision.expiresAt > expiresAt)) expiresAt = decision.expiresAt;
    }
    return { allowed, expiresAt, first: first! };
  }
}
