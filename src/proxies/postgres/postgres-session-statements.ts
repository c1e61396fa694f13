import type { Logger } from 'pino';
import type { AuditEventInput, AuditSink } from '../../audit/audit-event.ts';
import { classifySql } from '../../sql/classify-sql.ts';
import type { Classification } from '../../sql/sql-types.ts';
import type { Clock } from '../../time/clock.ts';
import { auditUnavailable } from './postgres-errors.ts';
import {
  statementAllowedEvent,
  statementDeniedEvent,
  statementFailedEvent,
  type DeniedDetails,
  type RunningStatement,
  type SessionAuditContext,
} from './postgres-session-audit.ts';
import type { ResponseTracker } from './postgres-session-responses.ts';
import { describeForMasking } from './postgres-mask-execute.ts';
import { OFFLOAD_SQL_CHARS, type OffloadedClassifier } from './postgres-statement-gate-offload.ts';
import type { JudgedStatement, QueryStatement, Refused, StatementGate } from './postgres-statement-gate.ts';
import { parse, query, type BindMessage, type ExecuteMessage, type FunctionCallMessage, type ParseMessage, type QueryMessage } from './postgres-wire.ts';

/**
 * What happens to each statement-bearing client message (Query, Parse, Bind,
 * Execute, FunctionCall): judged by the gate; if it runs something, its
 * STATEMENT_ALLOWED record is durably written first; then forwarded, with
 * the answer it expects queued on the ResponseTracker. A refused message is
 * recorded and replaced upstream by text that is sure to fail, whose error
 * the tracker later swaps for the refusal, in its place in the stream.
 */

/** What the server is sent in place of a refused simple Query or FunctionCall. */
const DENIED_SQL = 'STINT DENIED';
/**
 * In place of a refused extended-protocol message: a named Parse of the same
 * text fails in raw parsing, before anything is stored, so unlike an unnamed
 * one it leaves the client's unnamed statement alone.
 */
const DENIED_STATEMENT_NAME = 'stint_denied';

/** The relay's side of forwarding. */
export interface StatementChannel {
  /** Queues bytes for the upstream, in order. */
  forward(bytes: Buffer): void;
  /**
   * Whether a message forwarded now would be processed rather than ignored
   * (the session is ending, or the server is skipping to Sync). `ownRefusal`:
   * for the substitute of a refusal that itself starts the skip.
   */
  canForward(ownRefusal?: boolean): boolean;
  /** After refusing an extended-protocol message: drop the client's messages up to its Sync. */
  dropUntilSync(): void;
}

export interface StatementRunnerDeps {
  readonly gate: StatementGate;
  readonly offload: OffloadedClassifier;
  readonly tracker: ResponseTracker;
  readonly channel: StatementChannel;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly context: SessionAuditContext;
  readonly counters: { statements: number };
  readonly onAllowed: () => void;
}

export class StatementRunner {
  readonly #deps: StatementRunnerDeps;

  constructor(deps: StatementRunnerDeps) {
    this.#deps = deps;
  }

  /** Records an outcome without holding anything up; a failure to record it is logged. */
  record(event: AuditEventInput): void {
    // Nothing waits on an outcome record: it rides along with the next statement's commit.
    this.#deps.audit.append(event, { deferCommit: true }).catch((error: unknown) => this.#deps.logger.error({ err: error, code: event.code }, 'could not record a statement outcome'));
  }

  query(message: QueryMessage): Promise<void> | undefined {
    if (message.sql.length > OFFLOAD_SQL_CHARS) return this.#offloaded(message.sql, (classified) => this.#query(message, classified));
    return this.#query(message, classifySql(message.sql));
  }

  parse(message: ParseMessage): Promise<void> | undefined {
    if (message.sql.length > OFFLOAD_SQL_CHARS) return this.#offloaded(message.sql, (classified) => this.#parse(message, classified));
    return this.#parse(message, classifySql(message.sql));
  }

  /** Classifies a long text off the event loop, then carries on as if it had been classified here. */
  async #offloaded(sql: string, next: (classified: Classification) => Promise<void> | undefined): Promise<void> {
    const classified = await this.#deps.offload.classify(sql);
    await next(classified);
  }

  #query(message: QueryMessage, classified: Classification): Promise<void> | undefined {
    const judged = this.#deps.gate.judgeQuery(message.sql, classified);
    if (!judged.allow) return this.#refuse(judged, { via: 'simple', text: message.sql }, false);
    if (judged.statements.length === 0) {
      this.#deps.tracker.expect({ kind: 'query', statements: [], next: 0, failed: false });
      this.#deps.channel.forward(message.raw);
      return undefined;
    }
    return this.#runQuery(message, judged.statements);
  }

  async #runQuery(message: QueryMessage, statements: readonly QueryStatement[]): Promise<void> {
    const { context, gate } = this.#deps;
    const of = statements.length;
    const seqs = await this.#recordAllowed(statements.map((statement, index) => statementAllowedEvent(context, statement, { via: 'simple', index, of })));
    const abandon = (): void => {
      for (const statement of statements) if (statement.prepare !== undefined) gate.statements.abandon(statement.prepare);
    };
    if (seqs === null) {
      abandon();
      return this.#refuse({ allow: false, refusal: auditUnavailable(), info: statements[0]!.info }, { via: 'simple', text: message.sql }, false);
    }
    const startedAt = this.#deps.clock.now();
    const runs = statements.map((statement, index) => ({ statement, running: this.#running(statement, startedAt, seqs[index]!) }));
    if (!this.#deps.channel.canForward()) {
      abandon();
      for (const run of runs) this.#notRun(run.running);
      return;
    }
    this.#deps.onAllowed();
    this.#deps.tracker.expect({ kind: 'query', statements: runs, next: 0, failed: false });
    this.#deps.channel.forward(message.raw);
    this.#deps.counters.statements += of;
  }

  #parse(message: ParseMessage, classified: Classification): Promise<void> | undefined {
    const judged = this.#deps.gate.judgeParse(message.name, message.sql, classified);
    if (!judged.allow) return this.#refuse(judged, { via: 'extended', text: message.sql }, true);
    this.#deps.tracker.expect({ kind: 'parse', pending: judged.pending });
    this.#deps.channel.forward(message.raw);
    return undefined;
  }

  bind(message: BindMessage): Promise<void> | undefined {
    const bound = { params: message.params, paramFormats: message.paramFormats };
    const judged = this.#deps.gate.judgeBind(message.portal, message.statement, message.params, message.paramFormats);
    if (!judged.allow) return this.#refuse(judged, { via: 'extended', bound }, true);
    this.#deps.tracker.expect({ kind: 'bind', pending: judged.pending });
    this.#deps.channel.forward(message.raw);
    return undefined;
  }

  execute(message: ExecuteMessage): Promise<void> {
    const judged = this.#deps.gate.judgeExecute(message.portal);
    if (!judged.allow) return this.#refuse(judged, { via: 'extended' }, true);
    const { portal, statement } = judged;
    const bound = { params: portal.params, paramFormats: portal.paramFormats };
    const event = statementAllowedEvent(this.#deps.context, statement, { via: 'extended', bound, statementName: portal.statementName, portal: message.portal });
    return this.#runOne(message.raw, statement, event, true, { via: 'extended', bound });
  }

  functionCall(message: FunctionCallMessage): Promise<void> {
    const judged = this.#deps.gate.judgeFunctionCall(message.functionOid);
    if (!judged.allow) return this.#refuse(judged, { via: 'function' }, false);
    const event = statementAllowedEvent(this.#deps.context, judged.statement, { via: 'function' });
    return this.#runOne(message.raw, judged.statement, event, false, { via: 'function' });
  }

  /** An Execute or FunctionCall: recorded, then forwarded (or refused when it cannot be recorded). */
  async #runOne(
    raw: Buffer,
    statement: JudgedStatement,
    event: AuditEventInput,
    extended: boolean,
    denied: DeniedDetails,
  ): Promise<void> {
    const seqs = await this.#recordAllowed([event]);
    if (seqs === null) return this.#refuse({ allow: false, refusal: auditUnavailable(), info: statement.info }, denied, extended);
    let running = this.#running(statement, this.#deps.clock.now(), seqs[0]!);
    if (!this.#deps.channel.canForward()) {
      this.#notRun(running);
      return;
    }
    this.#deps.onAllowed();
    if (extended) running = describeForMasking(raw, running, this.#deps.tracker, this.#deps.channel);
    this.#deps.tracker.expect(extended ? { kind: 'execute', running } : { kind: 'call', running, done: false });
    this.#deps.channel.forward(raw);
    this.#deps.counters.statements += 1;
  }

  /** Writes the STATEMENT_ALLOWED records and waits until they are durable; null when any could not be written. */
  async #recordAllowed(events: AuditEventInput[]): Promise<number[] | null> {
    try {
      const written = await Promise.all(events.map((event) => this.#deps.audit.append(event)));
      return written.map((event) => event.seq);
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'audit append failed; statement refused');
      return null;
    }
  }

  #running(statement: JudgedStatement, startedAt: number, allowedSeq: number): RunningStatement {
    return { info: statement.info, action: statement.action, startedAt, allowedSeq, obligations: statement.decision.obligations };
  }

  /** Recorded as allowed, but the server will never run it (the session is ending, or skipping after an error). */
  #notRun(running: RunningStatement): void {
    this.record(statementFailedEvent(this.#deps.context, running, { sqlstate: null, message: 'not executed', executed: false }, this.#deps.clock.now()));
  }

  async #refuse(refused: Refused, details: DeniedDetails, extended: boolean): Promise<void> {
    try {
      await this.#deps.audit.append(statementDeniedEvent(this.#deps.context, refused, details));
    } catch (error) {
      // The statement is refused either way.
      this.#deps.logger.error({ err: error }, 'could not record a refused statement');
    }
    if (extended) this.#deps.channel.dropUntilSync();
    if (!this.#deps.channel.canForward(true)) return;
    this.#deps.tracker.expect({ kind: 'substitute', refusal: refused.refusal, extended });
    this.#deps.channel.forward(extended ? parse(DENIED_STATEMENT_NAME, DENIED_SQL) : query(DENIED_SQL));
  }
}
