import { ACTIONS, type Action } from '../../access/access-model.ts';
import type { AccessIdentity } from '../../access/decide.ts';
import type { Decision } from '../../access/decision.ts';
import type { StatementShape } from '../../access/statement-access.ts';
import { refusedBatch, refusedSettingChange, type SessionSettingLimits } from '../../access/statement-session-settings.ts';
import { classifySql } from '../../sql/classify-sql.ts';
import { maxClass, type Classification, type StatementInfo } from '../../sql/sql-types.ts';
import {
  statementDenied,
  unknownPortal,
  unknownPreparedStatement,
  unparseableSql,
  type GatewayRefusal,
} from './postgres-errors.ts';
import { NameTracker, type PendingName } from './postgres-session-prepared.ts';

/**
 * Per-session judge of statements: classifies SQL, remembers what each
 * prepared statement and portal name refers to, and asks the access state
 * for a decision every time something is about to run. Decisions are never
 * cached: rights gained or lost mid-session apply to the very next statement.
 */

export interface Decider {
  decide(identity: AccessIdentity, resource: string, action: Action): Decision;
  /** Per statement (guardrails, table scope); without it, a statement is judged by its action alone. */
  decideStatement?(identity: AccessIdentity, resource: string, action: Action, statement: StatementShape): Decision;
}

/** One statement about to run, allowed. */
export interface JudgedStatement {
  /** The statement as the client wrote it. */
  readonly info: StatementInfo;
  /** The action it needs: its own class, raised to what it executes. */
  readonly action: Action;
  readonly decision: Decision;
  /** For EXECUTE of a prepared statement: what was prepared under that name. */
  readonly runs?: StatementInfo;
}

/** A simple-query statement, with the name bookkeeping its success will confirm. */
export interface QueryStatement extends JudgedStatement {
  /** PREPARE: confirmed by CommandComplete "PREPARE". */
  readonly prepare?: PendingName;
  /** DEALLOCATE name: the name to forget on CommandComplete "DEALLOCATE", when it could be read. */
  readonly deallocate?: string;
}

export interface Refused {
  readonly allow: false;
  readonly refusal: GatewayRefusal;
  /** The statement refused, when it was classified. */
  readonly info?: StatementInfo;
  readonly action?: Action;
}

export type QueryJudgement = { readonly allow: true; readonly statements: readonly QueryStatement[] } | Refused;
export type ParseJudgement = { readonly allow: true; readonly statement: StatementInfo; readonly pending: PendingName } | Refused;
export type BindJudgement = { readonly allow: true; readonly portal: PortalInfo; readonly pending: PendingName } | Refused;
export type RunJudgement = { readonly allow: true; readonly statement: JudgedStatement; readonly portal: PortalInfo } | Refused;
export type CallJudgement = { readonly allow: true; readonly statement: JudgedStatement } | Refused;

/** What a bound portal will run, with its parameters (for the audit record). */
export interface PortalInfo {
  readonly class: StatementInfo['class'];
  readonly statementName: string;
  readonly statement: StatementInfo;
  readonly params: readonly (Buffer | null)[];
  readonly paramFormats: readonly number[];
}

const ANY_TABLE: StatementShape = { tablesRead: [], tablesWritten: [] };

/** An empty query string runs nothing; it still needs a statement name to bind. */
const EMPTY_STATEMENT: StatementInfo = { class: 'read', command: 'EMPTY', tablesRead: [], tablesWritten: [], functions: [], text: '' };

// DEALLOCATE [PREPARE] name: an unquoted name is folded to lower case, a quoted one kept with "" unescaped.
const DEALLOCATE_NAME = /^DEALLOCATE\s+(?:PREPARE\s+)?(?:"((?:[^"]|"")+)"|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*))\s*$/i;

/** An EXECUTE is judged by what it runs as well as by itself (EXPLAIN ANALYZE EXECUTE, CREATE TABLE AS EXECUTE). */
function mergedShape(info: StatementInfo, runs: StatementInfo): StatementShape {
  return {
    tablesRead: [...info.tablesRead, ...runs.tablesRead],
    tablesWritten: [...info.tablesWritten, ...runs.tablesWritten],
    deleteWithoutWhere: info.deleteWithoutWhere === true || runs.deleteWithoutWhere === true,
    updateWithoutWhere: info.updateWithoutWhere === true || runs.updateWithoutWhere === true,
    truncates: info.truncates === true || runs.truncates === true,
    text: info.text,
    runsText: runs.text,
  };
}

function deallocatedName(info: StatementInfo): string | undefined {
  if (info.command !== 'DEALLOCATE') return undefined;
  const match = DEALLOCATE_NAME.exec(info.text);
  if (match === null) return undefined;
  if (match[1] !== undefined) return match[1].replaceAll('""', '"');
  const bare = match[2]!;
  return bare.toUpperCase() === 'ALL' ? undefined : bare.toLowerCase();
}

export class StatementGate {
  readonly statements = new NameTracker<StatementInfo>();
  readonly portals = new NameTracker<PortalInfo>();
  readonly #access: Decider;
  readonly #identity: AccessIdentity;
  readonly #resource: string;
  /** What the gateway holds the session's settings to (statement_timeout, read-only); none when absent. */
  readonly #settings: { limits(): SessionSettingLimits } | undefined;

  constructor(deps: { access: Decider; identity: AccessIdentity; resource: string; settings?: { limits(): SessionSettingLimits } }) {
    this.#access = deps.access;
    this.#identity = deps.identity;
    this.#resource = deps.resource;
    this.#settings = deps.settings;
  }

  /**
   * Names proposed so far are no longer certain (see NameTracker): after a
   * Sync, and after a simple Query, whose error does not make the server skip.
   */
  endCertainSegment(): void {
    this.statements.endSegment();
    this.portals.endSegment();
  }

  /** The decision for an action on no table in particular: guardrails apply, table scope does not. */
  decideAnyTable(action: Action): Decision {
    return this.#decideStatement(action, ANY_TABLE);
  }

  get resource(): string {
    return this.#resource;
  }

  get email(): string {
    return this.#identity.email;
  }

  decide(action: Action): Decision {
    return this.#access.decide(this.#identity, this.#resource, action);
  }

  /**
   * When the session's access ends: the latest expiry among the actions still
   * allowed, or null when none is allowed any more (with the decision saying why).
   */
  sessionExpiry(): { readonly expiresAt: number } | { readonly lost: Decision } {
    let latest: number | null = null;
    let first: Decision | null = null;
    for (const action of ACTIONS) {
      const decision = this.decide(action);
      first ??= decision;
      if (decision.allow && decision.expiresAt !== null && (latest === null || decision.expiresAt > latest)) latest = decision.expiresAt;
    }
    return latest === null ? { lost: first! } : { expiresAt: latest };
  }

  /**
   * A simple Query: every statement must be allowed, or the whole text is
   * refused. `classified` is the text's classification when it was done
   * elsewhere (a worker thread, for long texts).
   */
  judgeQuery(sql: string, classified: Classification = classifySql(sql)): QueryJudgement {
    if (!classified.ok) return { allow: false, refusal: unparseableSql(classified.error, classified.position) };
    const batch = this.#settings === undefined ? undefined : refusedBatch(classified.statements, this.#settings.limits(), this.#resource);
    if (batch !== undefined) {
      const refused = classified.statements[batch.index]!;
      return this.#refuse(refused, refused.class, batch.decision);
    }
    // PREPAREs earlier in the same text are visible to a later EXECUTE in it.
    const local = new Map<string, StatementInfo>();
    const judged: { statement: JudgedStatement; deallocate?: string }[] = [];
    for (const info of classified.statements) {
      const verdict = this.#judgeStatement(info, local);
      if (!verdict.allow) return verdict;
      if (info.prepares !== undefined) local.set(info.prepares, info);
      const deallocate = deallocatedName(info);
      judged.push({ statement: verdict.statement, ...(deallocate === undefined ? {} : { deallocate }) });
    }
    const statements = judged.map(({ statement, deallocate }): QueryStatement => {
      const prepares = statement.info.prepares;
      return {
        ...statement,
        ...(prepares === undefined ? {} : { prepare: this.statements.propose(prepares, statement.info) }),
        ...(deallocate === undefined ? {} : { deallocate }),
      };
    });
    // An error in a simple Query does not make the server skip to a Sync, so a Bind after it may still
    // run the name's earlier meaning (a failed PREPARE keeps the old one): nothing proposed so far is certain.
    this.endCertainSegment();
    return { allow: true, statements };
  }

  /** A Parse: one statement, judged now and again whenever it is bound and executed. */
  judgeParse(name: string, sql: string, classified: Classification = classifySql(sql)): ParseJudgement {
    if (!classified.ok) return { allow: false, refusal: unparseableSql(classified.error, classified.position) };
    if (classified.statements.length > 1) {
      return { allow: false, refusal: unparseableSql('cannot insert multiple commands into a prepared statement') };
    }
    const info = classified.statements[0] ?? EMPTY_STATEMENT;
    const verdict = this.#judgeStatement(info, new Map());
    if (!verdict.allow) return verdict;
    return { allow: true, statement: info, pending: this.statements.propose(name, info) };
  }

  /** A Bind: the named statement is judged again, and the portal remembers what it will run. */
  judgeBind(portal: string, statementName: string, params: readonly (Buffer | null)[], paramFormats: readonly number[]): BindJudgement {
    const statement = this.statements.lookup(statementName);
    if (statement === undefined) return { allow: false, refusal: unknownPreparedStatement(statementName) };
    const verdict = this.#judgeStatement(statement, new Map());
    if (!verdict.allow) return verdict;
    const info: PortalInfo = { class: verdict.statement.action, statementName, statement, params, paramFormats };
    return { allow: true, portal: info, pending: this.portals.propose(portal, info) };
  }

  /** An Execute: the moment the statement runs, so the moment that counts. */
  judgeExecute(portalName: string): RunJudgement {
    const portal = this.portals.lookup(portalName);
    if (portal === undefined) return { allow: false, refusal: unknownPortal(portalName) };
    const verdict = this.#judgeStatement(portal.statement, new Map());
    if (!verdict.allow) return verdict;
    return { allow: true, statement: verdict.statement, portal };
  }

  /**
   * FunctionCall ('F') calls a function by OID, past SQL: the function could
   * be any, pg_read_file included, so it is unsafe (admin does not imply it).
   */
  judgeFunctionCall(oid: number): CallJudgement {
    const info: StatementInfo = {
      class: 'unsafe',
      command: 'FUNCTION CALL',
      tablesRead: [],
      tablesWritten: [],
      functions: [`oid:${oid}`],
      text: `<fast-path function call of OID ${oid}>`,
      unsafeReasons: ['a fast-path function call names its function by OID, so the gateway cannot tell which function runs'],
    };
    const decision = this.#decideStatement('unsafe', info);
    if (!decision.allow) return this.#refuse(info, 'unsafe', decision);
    return { allow: true, statement: { info, action: 'unsafe', decision } };
  }

  #judgeStatement(info: StatementInfo, local: ReadonlyMap<string, StatementInfo>): { allow: true; statement: JudgedStatement } | Refused {
    let action: Action = info.class;
    let runs: StatementInfo | undefined;
    if (info.executes !== undefined) {
      runs = local.get(info.executes) ?? this.statements.lookup(info.executes);
      if (runs === undefined) return { allow: false, refusal: unknownPreparedStatement(info.executes), info, action };
      action = maxClass(action, runs.class);
    }
    const decision = this.#decideStatement(action, runs === undefined ? info : mergedShape(info, runs));
    if (!decision.allow) return this.#refuse(info, action, decision);
    const settingRefusal = this.#refusedSetting(info, runs);
    if (settingRefusal !== undefined) return this.#refuse(info, action, settingRefusal);
    return { allow: true, statement: { info, action, decision, ...(runs === undefined ? {} : { runs }) } };
  }

  /** A setting change that would undo the session's statement_timeout or read-only mode (the statement, or what it executes). */
  #refusedSetting(info: StatementInfo, runs: StatementInfo | undefined): Decision | undefined {
    if (this.#settings === undefined) return undefined;
    const limits = this.#settings.limits();
    return refusedSettingChange(info, limits, this.#resource) ?? (runs === undefined ? undefined : refusedSettingChange(runs, limits, this.#resource));
  }

  #decideStatement(action: Action, statement: StatementShape): Decision {
    return this.#access.decideStatement?.(this.#identity, this.#resource, action, statement) ?? this.decide(action);
  }

  #refuse(info: StatementInfo, action: Action, decision: Decision): Refused {
    const refusal = statementDenied({
      action,
      resource: this.#resource,
      email: this.#identity.email,
      reason: decision.reason,
      decisionMessage: decision.message,
      command: info.command,
    });
    return { allow: false, refusal, info, action };
  }
}
