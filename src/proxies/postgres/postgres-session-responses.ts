import { errorResponseFor, type GatewayRefusal } from './postgres-errors.ts';
import type { ResultRewriter } from './postgres-mask-results.ts';
import type { RunningStatement } from './postgres-session-audit.ts';
import type { PendingName } from './postgres-session-prepared.ts';
import type { QueryStatement, StatementGate } from './postgres-statement-gate.ts';
import { parseCommandComplete, parseErrorFields, parseParameterStatus, parseReadyForQuery, type BackendFrame, type TransactionStatus } from './postgres-wire.ts';

/**
 * Matches what the upstream answers to what the gateway forwarded. Every
 * forwarded message that the server answers is queued here, in order, as an
 * "expectation"; each answer settles the one at the head. That is how the
 * gateway knows which statement finished (for the audit), when a name was
 * really prepared (for later decisions), and which ErrorResponse belongs to
 * a refusal it substituted, so it can be replaced by the refusal's own error
 * at exactly the right point of the stream.
 *
 * The model follows the server's message loop: after an error in an
 * extended-protocol message the server ignores everything up to Sync; during
 * COPY FROM STDIN it ignores Sync and Flush. Anything that does not fit the
 * model is a ProtocolDesync, and the session is closed rather than guessed at.
 */

export type Expectation =
  | { readonly kind: 'parse'; readonly pending: PendingName }
  | { readonly kind: 'bind'; readonly pending: PendingName }
  /** `hidden`: the gateway's own Describe before a masked Execute (postgres-mask-execute.ts); its answer is not relayed. */
  | { readonly kind: 'describe'; readonly hidden?: RunningStatement }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'execute'; readonly running: RunningStatement }
  | { readonly kind: 'sync' }
  | { readonly kind: 'query'; readonly statements: readonly QueryRun[]; next: number; failed: boolean }
  | { readonly kind: 'call'; readonly running: RunningStatement; done: boolean }
  /** A refused message, replaced upstream by text that fails; `extended`: a Parse stood in for it. */
  | { readonly kind: 'substitute'; readonly refusal: GatewayRefusal; readonly extended: boolean }
  /** The client ended a COPY (CopyDone/CopyFail) before the server was seen to start one. */
  | { readonly kind: 'copyEnd' }
  /** The gateway's own simple query (a settings switch): its whole answer is swallowed; `done` gets its error, if any. */
  | { readonly kind: 'internal'; readonly done: (error: string | null) => void; error?: string };

export interface QueryRun {
  readonly statement: QueryStatement;
  readonly running: RunningStatement;
}

export interface OutcomeHooks {
  completed(running: RunningStatement, outcome: { tag: string; rows: number | null; suspended?: boolean }): void;
  failed(running: RunningStatement, failure: { sqlstate: string | null; message: string; executed: boolean }): void;
  /** A ParameterStatus the server sent (a reported setting changed). */
  parameter?(name: string, value: string): void;
}

export class ProtocolDesync extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolDesync';
  }
}

const NOT_RUN = 'not executed: an earlier message of the same request failed';
const NOTHING = Buffer.alloc(0);

export class ResponseTracker {
  readonly #queue: Expectation[] = [];
  readonly #gate: StatementGate;
  readonly #hooks: OutcomeHooks;
  /** Masks and row limits on results; see postgres-mask-results.ts. */
  readonly #results: ResultRewriter | undefined;
  #status: TransactionStatus;
  /** The server is in COPY FROM STDIN and the client has not ended it yet. */
  #clientInCopy = false;
  /** The server is skipping to the next Sync and none is queued: the client's next messages are ignored. */
  #skipping = false;
  /** The upstream sent a FATAL error; it closes next. */
  #fatal = false;
  #room: { readonly limit: number; readonly resolve: () => void } | null = null;

  constructor(deps: { gate: StatementGate; hooks: OutcomeHooks; status: TransactionStatus; results?: ResultRewriter }) {
    this.#results = deps.results;
    this.#gate = deps.gate;
    this.#hooks = deps.hooks;
    this.#status = deps.status;
  }

  get transactionStatus(): TransactionStatus {
    return this.#status;
  }

  /** Something forwarded is still unanswered (a statement may be running). */
  get busy(): boolean {
    return this.#queue.some((item) => item.kind !== 'copyEnd');
  }

  /**
   * Resolves once fewer than `limit` answers are outstanding (or `release()`
   * is called), so a client pipelining without reading cannot make the
   * queue grow without bound.
   */
  room(limit: number): Promise<void> {
    if (this.#queue.length < limit) return Promise.resolve();
    return new Promise((resolve) => {
      this.#room = { limit, resolve };
    });
  }

  /** Wakes a waiter of `room()` whatever the queue holds (the session is ending). */
  release(): void {
    const room = this.#room;
    this.#room = null;
    room?.resolve();
  }

  /** Expectations queued: answers the upstream still owes. */
  get pending(): number {
    return this.#queue.length;
  }

  get clientInCopy(): boolean {
    return this.#clientInCopy;
  }

  get upstreamSentFatal(): boolean {
    return this.#fatal;
  }

  /** True while the server ignores the client's messages until a Sync; the relay drops them instead. */
  get skippingToSync(): boolean {
    return this.#skipping;
  }

  /** A Sync was forwarded: the server stops skipping. */
  syncForwarded(): void {
    this.#skipping = false;
    this.expect({ kind: 'sync' });
  }

  /** The client ended its COPY data; messages after it are ordinary again. */
  copyEndForwarded(): void {
    if (this.#clientInCopy) this.#clientInCopy = false;
    else this.#queue.push({ kind: 'copyEnd' });
  }

  expect(item: Expectation): void {
    this.#queue.push(item);
  }

  /** Settles expectations for one backend message; returns the bytes to send the client in its place. */
  handle(frame: BackendFrame): Buffer {
    const out = this.#handle(frame);
    if (this.#room !== null && this.#queue.length < this.#room.limit) this.release();
    return out;
  }

  #handle(frame: BackendFrame): Buffer {
    while (this.#queue[0]?.kind === 'copyEnd') this.#queue.shift();
    const head = this.#queue[0];
    if (head?.kind === 'internal') return this.#internal(frame, head);
    if (frame.type === 'S' && this.#hooks.parameter !== undefined) {
      const { name, value } = parseParameterStatus(frame);
      this.#hooks.parameter(name, value);
    }
    switch (frame.type) {
      case 'D':
      case 'd':
        return this.#results === undefined || this.#results.plain ? frame.raw : this.#results.handle(frame, this.#runningOf(head));
      case 'c':
      case 'A':
      case 'N':
      case 'S':
      case 't':
        return frame.raw;
      case '1':
        this.#settle('parse', (item) => this.#gate.statements.commit(item.pending));
        return frame.raw;
      case '2':
        this.#settle('bind', (item) => this.#gate.portals.commit(item.pending));
        return frame.raw;
      case '3':
        this.#settle('close', (item) => (item.target === 'S' ? this.#gate.statements : this.#gate.portals).remove(item.name));
        return frame.raw;
      case 'T':
        if (head?.kind === 'describe') {
          this.#queue.shift();
          if (head.hidden === undefined) return frame.raw;
          this.#results?.handle(frame, head.hidden);
          return NOTHING;
        }
        return this.#results === undefined ? frame.raw : this.#results.handle(frame, this.#runningOf(head));
      case 'n':
        this.#settle('describe', () => undefined);
        return head?.kind === 'describe' && head.hidden !== undefined ? NOTHING : frame.raw;
      case 'C': {
        const running = this.#runningOf(head);
        this.#commandComplete(frame, head);
        return this.#results === undefined ? frame.raw : this.#results.handle(frame, running);
      }
      case 'I':
        if (head?.kind === 'execute') {
          this.#queue.shift();
          this.#hooks.completed(head.running, { tag: '', rows: null });
        } else if (head?.kind !== 'query') {
          throw this.#desync(frame, head);
        }
        return frame.raw;
      case 's': {
        const running = this.#runningOf(head);
        this.#settle('execute', (item) => this.#hooks.completed(item.running, { tag: '', rows: null, suspended: true }));
        return this.#results === undefined ? frame.raw : this.#results.handle(frame, running);
      }
      case 'V':
        if (head?.kind !== 'call') throw this.#desync(frame, head);
        head.done = true;
        this.#hooks.completed(head.running, { tag: 'FUNCTION CALL', rows: null });
        return frame.raw;
      case 'G':
      case 'W':
      case 'H':
        if (head?.kind !== 'execute' && head?.kind !== 'query') throw this.#desync(frame, head);
        if (frame.type !== 'H') this.#copyInStarted();
        return frame.type === 'H' && this.#results !== undefined ? this.#results.handle(frame, this.#runningOf(head)) : frame.raw;
      case 'E':
        this.#results?.error();
        return this.#error(frame, head);
      case 'Z':
        this.#readyForQuery(frame, head);
        this.#results?.readyForQuery(this.#status);
        return frame.raw;
      default:
        throw this.#desync(frame, head);
    }
  }

  /** The answer to the gateway's own query: never relayed. */
  #internal(frame: BackendFrame, head: Extract<Expectation, { kind: 'internal' }>): Buffer {
    switch (frame.type) {
      case 'C':
      case 'S':
      case 'N':
        return NOTHING;
      case 'E': {
        const error = parseErrorFields(frame);
        if (error.severity === 'FATAL' || error.severity === 'PANIC') {
          this.#fatal = true;
          return frame.raw;
        }
        head.error = `${error.code} ${error.message}`;
        return NOTHING;
      }
      case 'Z':
        this.#queue.shift();
        this.#status = parseReadyForQuery(frame);
        head.done(head.error ?? null);
        return NOTHING;
      default:
        throw this.#desync(frame, head);
    }
  }

  /**
   * Before a message is handled: lookups its result needs first (catalog
   * names for masking), or undefined. The relay waits for them, holding the
   * rest of the stream back.
   */
  prepare(frame: BackendFrame): Promise<void> | undefined {
    if (this.#results === undefined || (frame.type !== 'T' && frame.type !== 'H')) return undefined;
    const head = this.#queue.find((item) => item.kind !== 'copyEnd');
    if (head?.kind === 'describe' && head.hidden === undefined) return undefined;
    return this.#results.prepare(frame, this.#runningOf(head));
  }

  /** The statement whose result is arriving. */
  #runningOf(head: Expectation | undefined): RunningStatement | undefined {
    if (head?.kind === 'query') return head.statements[head.next]?.running;
    if (head?.kind === 'execute') return head.running;
    if (head?.kind === 'describe') return head.hidden;
    return undefined;
  }

  #settle<K extends Expectation['kind']>(kind: K, settle: (item: Extract<Expectation, { kind: K }>) => void): void {
    const head = this.#queue[0];
    if (head?.kind !== kind) throw new ProtocolDesync(`the server answered a ${kind} that was not pending (expected ${head?.kind ?? 'nothing'})`);
    this.#queue.shift();
    settle(head as Extract<Expectation, { kind: K }>);
  }

  #desync(frame: BackendFrame, head: Expectation | undefined): ProtocolDesync {
    return new ProtocolDesync(`unexpected message type '${frame.type}' from the server while expecting ${head?.kind ?? 'nothing'}`);
  }

  #commandComplete(frame: BackendFrame, head: Expectation | undefined): void {
    const outcome = parseCommandComplete(frame);
    if (head?.kind === 'execute') {
      this.#queue.shift();
      this.#hooks.completed(head.running, { tag: outcome.tag, rows: outcome.rows });
      if (this.#clientInCopy) this.#clientInCopy = false;
      return;
    }
    if (head?.kind !== 'query' || head.failed || head.next >= head.statements.length) throw this.#desync(frame, head);
    const run = head.statements[head.next++]!;
    this.#clientInCopy = false;
    const { prepare, deallocate } = run.statement;
    if (prepare !== undefined && outcome.command === 'PREPARE') this.#gate.statements.commit(prepare);
    if (deallocate !== undefined && outcome.command === 'DEALLOCATE') this.#gate.statements.remove(deallocate);
    if (outcome.command === 'DEALLOCATE ALL') this.#gate.statements.clear();
    if (outcome.command === 'DISCARD ALL') {
      this.#gate.statements.clear();
      this.#gate.portals.clear();
    }
    this.#hooks.completed(run.running, { tag: outcome.tag, rows: outcome.rows });
  }

  /**
   * The server entered COPY FROM STDIN. It now ignores Sync and Flush until
   * the client ends the copy, so Syncs already queued behind the COPY get no
   * answer; any other message before the copy's end would be consumed as a
   * copy error, which the model does not follow.
   */
  #copyInStarted(): void {
    // The COPY itself stays at the head; what follows it is examined and removed in order.
    while (this.#queue.length > 1) {
      const [item] = this.#queue.splice(1, 1);
      if (item!.kind === 'copyEnd') return;
      if (item!.kind !== 'sync') throw new ProtocolDesync(`a ${item!.kind} message was pipelined into COPY FROM STDIN data`);
    }
    this.#clientInCopy = true;
  }

  #error(frame: BackendFrame, head: Expectation | undefined): Buffer {
    const error = parseErrorFields(frame);
    if (error.severity === 'FATAL' || error.severity === 'PANIC') {
      this.#fatal = true;
      return frame.raw;
    }
    this.#clientInCopy = false;
    if (head === undefined) return frame.raw;
    const failure = { sqlstate: error.code, message: error.message, executed: true };
    switch (head.kind) {
      case 'sync':
        // An error while committing at Sync; ReadyForQuery follows.
        return frame.raw;
      case 'query':
        if (head.failed || head.next >= head.statements.length) throw this.#desync(frame, head);
        head.failed = true;
        this.#hooks.failed(head.statements[head.next]!.running, failure);
        return frame.raw;
      case 'call':
        if (head.done) throw this.#desync(frame, head);
        head.done = true;
        this.#hooks.failed(head.running, failure);
        return frame.raw;
      case 'substitute':
        if (head.extended) this.#skipToSync();
        return errorResponseFor(head.refusal);
      case 'parse':
      case 'bind':
      case 'describe':
      case 'close':
      case 'execute':
        this.#skipToSync({ ...failure, executed: head.kind === 'execute' });
        return frame.raw;
      case 'copyEnd':
      case 'internal':
        throw this.#desync(frame, head);
    }
  }

  /** After an error in an extended-protocol message the server ignores everything up to the next Sync. */
  #skipToSync(failure?: { sqlstate: string; message: string; executed: boolean }): void {
    let first = true;
    while (this.#queue.length > 0 && this.#queue[0]!.kind !== 'sync') {
      const item = this.#queue.shift()!;
      const notRun = { sqlstate: failure?.sqlstate ?? null, message: NOT_RUN, executed: false };
      if (item.kind === 'execute') this.#hooks.failed(item.running, first && failure !== undefined ? failure : notRun);
      else if (item.kind === 'call') this.#hooks.failed(item.running, notRun);
      else if (item.kind === 'query') for (const run of item.statements) this.#hooks.failed(run.running, notRun);
      else if (item.kind === 'parse' || item.kind === 'bind') (item.kind === 'parse' ? this.#gate.statements : this.#gate.portals).abandon(item.pending);
      first = false;
    }
    if (this.#queue.length === 0) this.#skipping = true;
  }

  #readyForQuery(frame: BackendFrame, head: Expectation | undefined): void {
    if (head === undefined || !(head.kind === 'sync' || head.kind === 'query' || head.kind === 'call' || (head.kind === 'substitute' && !head.extended))) {
      throw this.#desync(frame, head);
    }
    this.#queue.shift();
    if (head.kind === 'query') {
      const notRun = { sqlstate: null, message: 'not executed: an earlier statement of the same query failed', executed: false };
      for (const run of head.statements.slice(head.next + (head.failed ? 1 : 0))) this.#hooks.failed(run.running, notRun);
      for (const run of head.statements) if (run.statement.prepare !== undefined) this.#gate.statements.abandon(run.statement.prepare);
    }
    this.#clientInCopy = false;
    this.#status = parseReadyForQuery(frame);
    // Portals live until the end of their transaction; a commit or rollback closed them all.
    if (this.#status === 'I') this.#gate.portals.clear();
  }
}
