import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit-event.ts';
import { StintError } from '../errors/stint-error.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { LiveSession } from './live-session.ts';
import { sessionRowToView } from './session-row.ts';
import type { SessionEndReason, SessionStart, SessionTerminator, SessionView } from './session-types.ts';

const ID_BATCH = 500;

/** A kill request as listeners of `onKill` see it. */
export interface SessionKill {
  readonly session: string;
  readonly contractor: string;
  readonly resource: string;
  readonly by: string;
  readonly reason: string;
  readonly at: number;
}

/** A session opening or ending on this node, as listeners of `onLifecycle` see it. */
export interface SessionLifecycle {
  readonly type: 'started' | 'ended';
  readonly session: string;
  readonly contractor: string;
  readonly resource: string;
  readonly at: number;
}

export function newSessionId(): string {
  return `ses_${randomBytes(8).toString('hex')}`;
}


/**
 * Every live session on this node, with exact expiry timers. Sessions are also
 * rows in the store, so any node can list them and ask for a kill; the holder
 * polls for kill requests and revoked tokens and ends its sessions within a
 * poll interval (500 ms by default).
 */
export class SessionRegistry {
  readonly nodeId: string;
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #pollMs: number;
  readonly #live = new Map<string, LiveSession>();
  readonly #killListeners = new Set<(kill: SessionKill) => void>();
  readonly #lifecycleListeners = new Set<(change: SessionLifecycle) => void>();
  #poller: NodeJS.Timeout | null = null;
  #polling = false;

  constructor(deps: { store: Store; audit: AuditSink; clock: Clock; logger: Logger; nodeId?: string; pollMs?: number }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#pollMs = deps.pollMs ?? 500;
    this.nodeId = deps.nodeId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** Records and audits the start, then arms the expiry timer. Fails closed if either write fails. */
  async open(start: SessionStart, terminator: SessionTerminator): Promise<LiveSession> {
    const session = new LiveSession({
      id: newSessionId(),
      node: this.nodeId,
      start,
      clock: this.#clock,
      terminator,
      onFinish: (s, reason) => this.#recordEnd(s, reason),
    });
    await this.#store.db
      .insertInto('sessions')
      .values({
        id: session.id,
        node: this.nodeId,
        protocol: start.protocol,
        contractor: start.contractor,
        resource: start.resource,
        client_address: start.clientAddress,
        tls: start.tls ? 1 : 0,
        token_id: start.tokenId,
        started_at: session.startedAt,
        expires_at: start.expiresAt,
        bytes_in: 0,
        bytes_out: 0,
        statements: 0,
      })
      .execute();
    await this.#audit.append({
      code: 'SESSION_STARTED',
      actor: start.contractor,
      resource: start.resource,
      subject: session.id,
      summary: `${start.contractor} connected to ${start.resource} over ${start.protocol}${start.tls ? ' (TLS)' : ''} from ${start.clientAddress}.`,
      data: { session: session.id, protocol: start.protocol, clientAddress: start.clientAddress, tls: start.tls, tokenId: start.tokenId, expiresAt: start.expiresAt, node: this.nodeId },
    });
    this.#live.set(session.id, session);
    this.#tellLifecycle({ type: 'started', session: session.id, contractor: start.contractor, resource: start.resource, at: session.startedAt });
    return session;
  }

  /** Sessions live on this node. */
  live(): readonly LiveSession[] {
    return [...this.#live.values()];
  }

  /** Sessions across every node sharing the store, newest first. */
  async list(filter: { live?: boolean; contractor?: string; limit?: number } = {}): Promise<SessionView[]> {
    let query = this.#store.db.selectFrom('sessions').selectAll().orderBy('started_at', 'desc').limit(filter.limit ?? 200);
    if (filter.live === true) query = query.where('ended_at', 'is', null);
    if (filter.contractor !== undefined) query = query.where('contractor', '=', filter.contractor);
    const rows = await query.execute();
    // Counters of this node's live sessions are fresher in memory than in the row.
    return rows.map((row) => this.#live.get(row.id)?.view() ?? sessionRowToView(row));
  }

  /** Told after each kill request is recorded (notifications); a listener's error is logged, never thrown. */
  onKill(listener: (kill: SessionKill) => void): () => void {
    this.#killListeners.add(listener);
    return () => this.#killListeners.delete(listener);
  }

  /** Told after a session on this node is recorded as started or ended (live views); a listener's error is logged, never thrown. */
  onLifecycle(listener: (change: SessionLifecycle) => void): () => void {
    this.#lifecycleListeners.add(listener);
    return () => this.#lifecycleListeners.delete(listener);
  }

  #tellLifecycle(change: SessionLifecycle): void {
    for (const listener of this.#lifecycleListeners) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.error({ err: error, session: change.session }, 'session lifecycle listener failed');
      }
    }
  }

  /** Asks for a session to end, wherever it runs; audited first. */
  async kill(id: string, by: string, reason = 'ended by an administrator'): Promise<SessionView> {
    const row = await this.#store.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new StintError('STINT_ERR_NOT_FOUND', `No session ${id}; list them with \`stint sessions --live\`.`);
    if (row.ended_at !== null) return sessionRowToView(row);
    await this.#audit.append({
      code: 'SESSION_KILL_REQUESTED',
      actor: by,
      resource: row.resource,
      subject: id,
      summary: `${by} ended ${row.contractor}'s session ${id} on ${row.resource}: ${reason}.`,
      data: { session: id, contractor: row.contractor, reason, node: row.node },
    });
    await this.#store.db
      .updateTable('sessions')
      .set({ kill_requested_at: this.#clock.now(), kill_requested_by: by, kill_reason: reason })
      .where('id', '=', id)
      .execute();
    this.#live.get(id)?.end('killed', `Your session on ${row.resource} was ended by ${by}: ${reason}.`);
    const kill: SessionKill = { session: id, contractor: row.contractor, resource: row.resource, by, reason, at: this.#clock.now() };
    for (const listener of this.#killListeners) {
      try {
        listener(kill);
      } catch (error) {
        this.#logger.error({ err: error, session: id }, 'kill listener failed');
      }
    }
    return sessionRowToView({ ...row, kill_requested_at: this.#clock.now() });
  }

  /** Ends every local session of a contractor (offboarding, loss of all access). */
  endWhere(predicate: (session: LiveSession) => boolean, reason: SessionEndReason, message: (session: LiveSession) => string): number {
    let count = 0;
    for (const session of this.#live.values()) {
      if (!session.ending && predicate(session)) {
        session.end(reason, message(session));
        count += 1;
      }
    }
    return count;
  }

  /**
   * Ends local sessions opened with a token that was just revoked. The node
   * that revokes calls this at once; other nodes find the revocation in the
   * store on their next poll.
   */
  endRevoked(opensWithRevokedToken: (session: LiveSession) => boolean): number {
    return this.endWhere(opensWithRevokedToken, 'token_revoked', (session) => `Your access token was revoked; the session on ${session.start.resource} was closed.`);
  }

  start(): void {
    if (this.#poller !== null) return;
    this.#poller = setInterval(() => void this.pollOnce(), this.#pollMs);
    this.#poller.unref();
  }

  /** One round of looking for kill requests and revoked tokens affecting local sessions. */
  async pollOnce(): Promise<void> {
    if (this.#polling || this.#live.size === 0) return;
    this.#polling = true;
    try {
      // Revoked tokens are read BEFORE kill requests and acted on after them: a
      // kill written in the same transaction as a revocation (offboarding) is then
      // always seen, and the client hears the kill's reason rather than the bare revocation.
      const tokenIds = [...new Set(this.live().filter((session) => !session.ending).map((session) => session.start.tokenId))];
      const revokedIds: string[] = [];
      for (let i = 0; i < tokenIds.length; i += ID_BATCH) {
        const revoked = await this.#store.db
          .selectFrom('tokens')
          .select('id')
          .where('id', 'in', tokenIds.slice(i, i + ID_BATCH))
          .where('revoked_at', 'is not', null)
          .execute();
        revokedIds.push(...revoked.map((row) => row.id));
      }
      const kills = await this.#store.db
        .selectFrom('sessions')
        .select(['id', 'kill_requested_by', 'kill_reason', 'resource'])
        .where('node', '=', this.nodeId)
        .where('ended_at', 'is', null)
        .where('kill_requested_at', 'is not', null)
        .execute();
      for (const kill of kills) {
        this.#live
          .get(kill.id)
          ?.end('killed', `Your session on ${kill.resource} was ended by ${kill.kill_requested_by ?? 'an administrator'}: ${kill.kill_reason ?? 'no reason given'}.`);
      }
      const revoked = new Set(revokedIds);
      this.endRevoked((session) => revoked.has(session.start.tokenId));
    } catch (error) {
      this.#logger.error({ err: error }, 'session poll failed');
    } finally {
      this.#polling = false;
    }
  }

  /** Ends every local session (server shutdown) and waits, up to `timeoutMs`, for them to be recorded. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.#poller !== null) clearInterval(this.#poller);
    this.#poller = null;
    const sessions = [...this.#live.values()];
    for (const session of sessions) session.end('server_shutdown', 'The Stint gateway is shutting down; reconnect in a moment.');
    const finished = Promise.all(sessions.map((s) => s.finish('server_shutdown')));
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  async #recordEnd(session: LiveSession, reason: SessionEndReason): Promise<void> {
    this.#live.delete(session.id);
    const endedAt = this.#clock.now();
    const { start } = session;
    try {
      await this.#store.db
        .updateTable('sessions')
        .set({ ended_at: endedAt, end_reason: reason, bytes_in: session.bytesIn, bytes_out: session.bytesOut, statements: session.statements })
        .where('id', '=', session.id)
        .execute();
      await this.#audit.append({
        code: 'SESSION_ENDED',
        actor: start.contractor,
        resource: start.resource,
        subject: session.id,
        summary: `${start.contractor}'s session on ${start.resource} ended (${reason}) after ${Math.round((endedAt - session.startedAt) / 1000)} s, ${session.statements} statement(s).`,
        data: {
          session: session.id,
          reason,
          durationMs: endedAt - session.startedAt,
          bytesIn: session.bytesIn,
          bytesOut: session.bytesOut,
          statements: session.statements,
          clientAddress: start.clientAddress,
          tls: start.tls,
        },
      });
      this.#tellLifecycle({ type: 'ended', session: session.id, contractor: start.contractor, resource: start.resource, at: endedAt });
    } catch (error) {
      this.#logger.error({ err: error, session: session.id }, 'could not record the end of a session');
    }
  }
}
