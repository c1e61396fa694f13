import type { Logger } from 'pino';
import type { AuditEventInput, AuditSink } from '../../audit/audit-event.ts';
import type { SessionAuditContext } from './postgres-session-audit.ts';
import type { ResponseTracker } from './postgres-session-responses.ts';
import { READ_ONLY_SETTING, type SessionSettings } from './postgres-session-settings.ts';
import { query, type FrontendMessage } from './postgres-wire.ts';

/**
 * Switches a live session's read-only mode when its rights change: an
 * approved grant adds write, a revocation or expiry removes it. The switch
 * happens only between transactions (the last ReadyForQuery said 'I' and
 * nothing is outstanding), right before the client's next statement: the
 * gateway sends its own SET upstream and the tracker swallows the answer,
 * so the client never sees it. Every switch is audited first.
 */

/** Client messages that begin (or belong to) an extended-protocol exchange, which only Sync ends. */
const EXTENDED: ReadonlySet<FrontendMessage['type']> = new Set(['parse', 'bind', 'describe', 'execute', 'close', 'flush']);
/**
 * Messages before which a switch may happen: those that can start running
 * something. Bind counts: a client reusing statements it prepared earlier
 * starts each exchange with it.
 */
const STARTS: ReadonlySet<FrontendMessage['type']> = new Set(['query', 'functionCall', 'parse', 'bind', 'describe', 'execute']);

export interface ReadOnlySwitchDeps {
  readonly settings: SessionSettings;
  /** Whether the session may change data now. */
  readonly mayChangeData: () => boolean;
  readonly tracker: ResponseTracker;
  readonly audit: AuditSink;
  readonly logger: Logger;
  readonly context: SessionAuditContext;
  readonly forward: (bytes: Buffer) => void;
  /** Sends what is queued for the upstream now (before waiting for its answers). */
  readonly flush: () => void;
  /** False once the session is ending. */
  readonly canForward: () => boolean;
  /** The switch failed at the database: the session can no longer be held as it should. */
  readonly failed: (message: string) => void;
}

export class ReadOnlySwitch {
  readonly #deps: ReadOnlySwitchDeps;
  #inExtended = false;

  constructor(deps: ReadOnlySwitchDeps) {
    this.#deps = deps;
  }

  /** Called for each client message the relay handles, after `before`. */
  note(type: FrontendMessage['type']): void {
    if (type === 'sync') this.#inExtended = false;
    else if (EXTENDED.has(type)) this.#inExtended = true;
  }

  /** Before a client message that may run a statement: switches first when rights changed. */
  before(type: FrontendMessage['type']): Promise<void> | undefined {
    if (this.#inExtended || !STARTS.has(type)) return undefined;
    const wanted = this.#deps.settings.wanted(this.#deps.mayChangeData());
    if (wanted === undefined) return undefined;
    return this.#switch(wanted);
  }

  async #switch(readOnly: boolean): Promise<void> {
    const { tracker, settings } = this.#deps;
    if (tracker.pending > 0) {
      // A pipelining client: let what it already sent finish, then look at the transaction state.
      this.#deps.flush();
      await tracker.room(1);
    }
    if (!this.#deps.canForward() || tracker.pending > 0 || tracker.transactionStatus !== 'I' || tracker.clientInCopy || tracker.skippingToSync) return;
    const value = readOnly ? 'on' : 'off';
    try {
      await this.#deps.audit.append(this.#event(readOnly));
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'could not record a read-only switch');
      // Fail closed: holding read-only needs no record to be safe; releasing it does.
      if (!readOnly) return;
    }
    if (!this.#deps.canForward() || tracker.pending > 0) return;
    settings.switching(readOnly);
    tracker.expect({
      kind: 'internal',
      done: (error) => {
        settings.switched();
        if (error !== null) this.#deps.failed(`Stint could not set ${READ_ONLY_SETTING} = ${value} on the database (${error}); the session was closed, connect again`);
      },
    });
    this.#deps.forward(query(`SET ${READ_ONLY_SETTING} = ${value}`));
  }

  #event(readOnly: boolean): AuditEventInput {
    const { context } = this.#deps;
    const why = readOnly ? 'no longer holds write access' : 'now holds write access';
    return {
      code: 'SESSION_READ_ONLY_SWITCHED',
      actor: 'system:gateway',
      resource: context.resource,
      subject: context.sessionId,
      summary: `Session ${context.sessionId} of ${context.email} on ${context.resource} ${readOnly ? 'runs read-only' : 'may write'} from its next transaction: the contractor ${why}`,
      data: { session: context.sessionId, contractor: context.email, readOnly },
    };
  }
}
