import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { mayChangeData } from '../../access/statement-session-settings.ts';
import type { AuditSink } from '../../audit/audit-event.ts';
import type { SessionEndReason } from '../../sessions/session-types.ts';
import type { Clock } from '../../time/clock.ts';
import { errorResponseFor, errorResponseForWireError, SQLSTATE } from './postgres-errors.ts';
import { statementCompletedEvent, statementFailedEvent, type SessionAuditContext } from './postgres-session-audit.ts';
import type { ClientConnection } from './postgres-session-client.ts';
import type { ResultRewriter } from './postgres-mask-results.ts';
import { Downstream } from './postgres-session-downstream.ts';
import { OutputBatch } from './postgres-session-output.ts';
import { ResponseTracker, type OutcomeHooks } from './postgres-session-responses.ts';
import type { SessionSettings } from './postgres-session-settings.ts';
import { ReadOnlySwitch } from './postgres-session-settings-switch.ts';
import { StatementRunner, type StatementChannel } from './postgres-session-statements.ts';
import type { OffloadedClassifier } from './postgres-statement-gate-offload.ts';
import type { StatementGate } from './postgres-statement-gate.ts';
import type { FrontendMessage, TransactionStatus } from './postgres-wire.ts';

/**
 * The relay of an established session. Client messages are handled one at a
 * time, in order: each statement is judged and, if allowed, its audit record
 * is durably written before its bytes go upstream; a refused one is replaced
 * upstream by text that is sure to fail (see the ResponseTracker), so the
 * refusal reaches the client in its place in the stream. Upstream messages
 * are relayed as they come by Downstream, verbatim except for those
 * substituted errors. Both directions respect the other side's backpressure.
 */

/**
 * Most answers the upstream may owe one session at a time: a client that
 * pipelines without reading is held back here, bounding the bookkeeping.
 */
const MAX_IN_FLIGHT = 10_000;

/**
 * Frontend messages after which the client may be waiting for the server:
 * Query, FunctionCall, Sync, Flush, and COPY data and its end. The server
 * sends nothing the client needs for a Parse, Bind, Describe, Close or Execute
 * until a Sync or Flush follows, so those can wait for the next write.
 */
const ANSWER_AWAITED: ReadonlySet<number> = new Set(['Q', 'F', 'S', 'H', 'd', 'c', 'f'].map((code) => code.charCodeAt(0)));

export interface RelayDeps {
  readonly client: ClientConnection;
  readonly offload: OffloadedClassifier;
  readonly upstream: Socket | TLSSocket;
  readonly gate: StatementGate;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly context: SessionAuditContext;
  readonly status: TransactionStatus;
  /** Upstream settings the gateway holds the session to; read-only is switched and watched when given. */
  readonly settings?: SessionSettings;
  /** Counters of the live session. */
  readonly counters: { bytesOut: number; statements: number };
  /** After every allowed decision: the session's expiry may have moved. */
  readonly onAllowed: () => void;
  /** Masks and row limits on results (postgres-mask-results.ts). */
  readonly results?: ResultRewriter;
  /**
   * Ends the session; `fatal` is the last message for the client. `goodbye`:
   * the client sent Terminate, so the server is told the same, after whatever
   * it is still running, instead of having its work cancelled.
   */
  readonly end: (reason: SessionEndReason, fatal: Buffer | null, goodbye?: boolean) => void;
}

export class Relay {
  readonly tracker: ResponseTracker;
  readonly #deps: RelayDeps;
  readonly #toUpstream = new OutputBatch();
  #upstreamDrained: Promise<void> | null = null;
  /** Whether the bytes not yet written upstream include one the client awaits an answer to (see ANSWER_AWAITED). */
  #awaitedUpstream = false;
  /** Dropping the client's messages up to its next Sync, after refusing one of them. */
  #dropping = false;
  #stopped = false;

  readonly #downstream: Downstream;
  readonly #statements: StatementRunner;
  readonly #readOnly: ReadOnlySwitch | null;

  constructor(deps: RelayDeps) {
    this.#deps = deps;
    const { settings } = deps;
    const hooks: OutcomeHooks = {
      completed: (running, outcome) => this.#statements.record(statementCompletedEvent(deps.context, running, outcome, deps.clock.now())),
      failed: (running, failure) => this.#statements.record(statementFailedEvent(deps.context, running, failure, deps.clock.now())),
      ...(settings === undefined ? {} : { parameter: (name: string, value: string) => this.#parameter(settings, name, value) }),
    };
    this.tracker = new ResponseTracker({ gate: deps.gate, hooks, status: deps.status, ...(deps.results === undefined ? {} : { results: deps.results }) });
    this.#readOnly = settings === undefined ? null : this.#readOnlySwitch(settings);
    this.#downstream = new Downstream({ ...deps, tracker: this.tracker, onDesync: (fatal) => deps.end('protocol_error', fatal) });
    const channel: StatementChannel = {
      forward: (bytes) => this.#forward(bytes),
      canForward: (ownRefusal = false) => !this.#stopped && !this.tracker.skippingToSync && (ownRefusal || !this.#dropping),
      dropUntilSync: () => {
        this.#dropping = true;
      },
    };
    this.#statements = new StatementRunner({ ...deps, tracker: this.tracker, channel });
  }

  /** Relays until the client leaves or the session is stopped. */
  async run(leftover: Buffer): Promise<void> {
    this.#downstream.start(leftover);
    try {
      await this.#clientLoop();
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'postgres session failed');
      this.#deps.end('protocol_error', errorResponseFor({ code: SQLSTATE.internal_error, message: 'internal error in the Stint gateway; the session was closed', fatal: true }));
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#downstream.stop();
    this.tracker.release();
  }

  async #clientLoop(): Promise<void> {
    const { client } = this.#deps;
    while (!this.#stopped) {
      let message: FrontendMessage | null | undefined = client.take();
      if (message === undefined) {
        this.#flushUpstream();
        message = await client.next();
      }
      if (message === null || this.#stopped) break;
      if (this.#upstreamDrained !== null) {
        this.#flushUpstream();
        await this.#upstreamDrained;
        if (this.#stopped) break;
      }
      if (this.tracker.pending >= MAX_IN_FLIGHT) {
        this.#flushUpstream();
        await this.tracker.room(MAX_IN_FLIGHT);
        if (this.#stopped) break;
      }
      const switching = this.#readOnly?.before(message.type);
      if (switching !== undefined) {
        await switching;
        if (this.#stopped) break;
      }
      this.#readOnly?.note(message.type);
      const pending = this.#handle(message);
      if (pending !== undefined) {
        // Nothing a statement waits on here (its audit record, a worker's
        // classification) needs the server. Bytes the client awaits an answer
        // to go now; the rest (a Bind before its Execute) wait, and go in the
        // same write as the message that finishes the request.
        if (this.#awaitedUpstream) this.#flushUpstream();
        await pending;
      }
    }
    this.#flushUpstream();
    if (this.#stopped) return;
    const failure = client.failure;
    if (failure !== null) this.#deps.end('protocol_error', errorResponseForWireError(failure));
    else this.#deps.end('client_closed', null);
  }

  #handle(message: FrontendMessage): Promise<void> | undefined {
    const { tracker } = this;
    if (message.type === 'terminate') {
      this.#flushUpstream();
      this.#deps.end('client_closed', null, true);
      return undefined;
    }
    if (this.#dropping || tracker.skippingToSync) {
      // The server would ignore these too: it is skipping to the Sync after an error.
      if (message.type === 'sync') this.#sync(message.raw);
      return undefined;
    }
    if (tracker.clientInCopy) return this.#duringCopy(message);
    switch (message.type) {
      case 'query':
        return this.#statements.query(message);
      case 'parse':
        return this.#statements.parse(message);
      case 'bind':
        return this.#statements.bind(message);
      case 'execute':
        return this.#statements.execute(message);
      case 'functionCall':
        return this.#statements.functionCall(message);
      case 'describe':
        tracker.expect({ kind: 'describe' });
        this.#forward(message.raw);
        return undefined;
      case 'close':
        tracker.expect({ kind: 'close', target: message.target, name: message.name });
        this.#forward(message.raw);
        return undefined;
      case 'sync':
        this.#sync(message.raw);
        return undefined;
      case 'flush':
      case 'copyData':
        this.#forward(message.raw);
        return undefined;
      case 'copyDone':
      case 'copyFail':
        this.#forward(message.raw);
        tracker.copyEndForwarded();
        return undefined;
      case 'password':
      case 'unknown':
      case 'startup':
      case 'sslRequest':
      case 'gssEncRequest':
      case 'cancelRequest': {
        const what = message.type === 'unknown' ? `message type '${message.code}'` : `${message.type} message`;
        this.#protocolError(`unexpected ${what} in an established session`);
        return undefined;
      }
    }
  }

  #duringCopy(message: FrontendMessage): undefined {
    switch (message.type) {
      case 'copyData':
      case 'sync':
      case 'flush':
        // The server ignores Sync and Flush during COPY FROM STDIN; they are passed on for it to ignore.
        this.#forward(message.raw);
        return undefined;
      case 'copyDone':
      case 'copyFail':
        this.#forward(message.raw);
        this.tracker.copyEndForwarded();
        return undefined;
      default:
        this.#protocolError(`unexpected ${message.type} message during COPY FROM STDIN`);
        return undefined;
    }
  }

  #sync(raw: Buffer): void {
    this.#dropping = false;
    this.tracker.syncForwarded();
    this.#deps.gate.endCertainSegment();
    this.#forward(raw);
  }

  #forward(bytes: Buffer): void {
    this.#toUpstream.add(bytes);
    if (!this.#awaitedUpstream && bytes.length > 0) this.#awaitedUpstream = ANSWER_AWAITED.has(bytes[0]!);
  }

  #flushUpstream(): void {
    const { upstream } = this.#deps;
    this.#awaitedUpstream = false;
    if (this.#toUpstream.empty || upstream.destroyed) return;
    if (this.#toUpstream.flush(upstream) || this.#upstreamDrained !== null) return;
    this.#upstreamDrained = new Promise((resolve) => {
      const done = (): void => {
        upstream.off('drain', done);
        upstream.off('close', done);
        this.#upstreamDrained = null;
        resolve();
      };
      upstream.on('drain', done);
      upstream.on('close', done);
    });
  }

  #readOnlySwitch(settings: SessionSettings): ReadOnlySwitch {
    const deps = this.#deps;
    return new ReadOnlySwitch({
      settings,
      mayChangeData: () => mayChangeData((action) => deps.gate.decideAnyTable(action)),
      tracker: this.tracker,
      audit: deps.audit,
      logger: deps.logger,
      context: deps.context,
      forward: (bytes) => this.#forward(bytes),
      flush: () => this.#flushUpstream(),
      canForward: () => !this.#stopped,
      failed: (message) => deps.end('protocol_error', errorResponseFor({ code: SQLSTATE.internal_error, message, fatal: true })),
    });
  }

  /** A reported setting changed upstream: read-only turning off in a session held read-only ends it, fail-closed. */
  #parameter(settings: SessionSettings, name: string, value: string): void {
    if (settings.report(name, value) !== 'lost') return;
    const { context } = this.#deps;
    const message = `the database reported ${name} = ${value} in this session, which Stint holds read-only on ${context.resource} (a function or procedure changed it); the session was closed, connect again`;
    this.#statements.record({
      code: 'SESSION_READ_ONLY_LOST',
      actor: 'system:gateway',
      resource: context.resource,
      subject: context.sessionId,
      summary: `Session ${context.sessionId} of ${context.email} on ${context.resource} was ended: the database reported ${name} = ${value} while the gateway held it read-only`,
      data: { session: context.sessionId, contractor: context.email, setting: name, value },
    });
    this.#deps.end('read_only_lost', errorResponseFor({ code: SQLSTATE.insufficient_privilege, message, fatal: true }));
  }

  #protocolError(message: string): void {
    this.#deps.end('protocol_error', errorResponseFor({ code: SQLSTATE.protocol_violation, message, fatal: true }));
  }
}
