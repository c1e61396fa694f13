/**
 * Criterion: setting changes that would undo what the gateway holds a session
 * to. The gateway starts a session with a statement_timeout (a guardrail's
 * limit) and, for a session without write access, with
 * default_transaction_read_only = on; a statement may tighten either, never
 * loosen it. Pure: the caller says which limits hold for the session.
 */
import type { AccessIndex, NumberedGuardrail } from './access-index.ts';
import type { Action } from './access-model.ts';
import { guardrailName } from './decision-messages.ts';
import { NO_OBLIGATIONS, type Decision, type ReasonCode } from './decision.ts';
import { selectorText } from './statement-access.ts';
import { formatDuration } from '../time/duration.ts';

/** One setting a statement changes, as the SQL classifier reports it. */
export interface SettingChangeShape {
  /** Lower-case; undefined for RESET ALL or a set_config whose name is not a literal. */
  readonly name: string | undefined;
  /** The literal value; absent for RESET, SET ... TO DEFAULT, or a value that is not a literal. */
  readonly value?: string;
  readonly reset?: true;
  readonly local?: true;
  readonly via: 'set' | 'reset' | 'set_config';
}

/** What this criterion needs to know of a statement (the classifier's StatementInfo fits). */
export interface SettingsShape {
  readonly command: string;
  /** The statement's text; read only to tell DISCARD ALL from the other DISCARDs. */
  readonly text?: string;
  readonly settings?: readonly SettingChangeShape[];
  /** BEGIN/START TRANSACTION READ WRITE, SET TRANSACTION READ WRITE, SET SESSION CHARACTERISTICS ... READ WRITE. */
  readonly setsReadWrite?: true;
}

export interface StatementTimeoutLimit {
  readonly ms: number;
  /** The guardrail that sets it, as refusals name it: `guardrail #2 (labels env=prod)`. */
  readonly guardrail: string;
}

/** What the gateway holds one session to, right now. */
export interface SessionSettingLimits {
  readonly statementTimeout?: StatementTimeoutLimit;
  /**
   * Set while the gateway holds the session read-only. `resetKeepsReadOnly`:
   * the session started with default_transaction_read_only = on as a startup
   * parameter, so RESET ALL restores on. When read-only was switched on later
   * by SET, RESET ALL would restore off, and is refused. RESET of the setting
   * itself is always refused while it is held.
   */
  readonly readOnly?: { readonly resetKeepsReadOnly: boolean };
}

/** Actions that change data, schema or the server; a session allowed none of them runs read-only. */
const CHANGING: readonly Action[] = ['write', 'ddl', 'admin', 'unsafe'];

/** Whether any action that changes something is allowed now (decide with guardrails, on no table in particular). */
export function mayChangeData(decide: (action: Action) => Decision): boolean {
  return CHANGING.some((action) => decide(action).allow);
}

/** The limits a session starting now would run under. RESET ALL restores the startup values, read-only included. */
export function limitsAtStart(index: AccessIndex, resource: string, mayChange: boolean): SessionSettingLimits {
  const statementTimeout = statementTimeoutLimit(index, resource);
  return { ...(statementTimeout === undefined ? {} : { statementTimeout }), ...(mayChange ? {} : { readOnly: { resetKeepsReadOnly: true } }) };
}

/** The smallest statement_timeout among the guardrails selecting the resource; it wins. */
export function statementTimeoutLimit(index: AccessIndex, resource: string): StatementTimeoutLimit | undefined {
  let smallest: NumberedGuardrail | undefined;
  for (const guardrail of index.guardrails(resource)) {
    const ms = guardrail.rule.statementTimeoutMs;
    if (ms !== undefined && (smallest === undefined || ms < smallest.rule.statementTimeoutMs!)) smallest = guardrail;
  }
  if (smallest === undefined) return undefined;
  return { ms: smallest.rule.statementTimeoutMs!, guardrail: guardrailName(smallest.number, selectorText(smallest.rule.resources)) };
}

const TIME_UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a statement_timeout value as PostgreSQL would: a number with an
 * optional unit (us, ms, s, min, h, d; case-sensitive, as the server wants
 * them), milliseconds without one. Returns undefined for anything it cannot
 * read with certainty (signs, exponents, leading zeros, which the server
 * reads as octal or hexadecimal): the caller refuses those.
 */
export function parseTimeoutMs(text: string): number | undefined {
  const match = /^\s*((?:0|[1-9]\d*)(?:\.\d+)?|\.\d+)\s*(us|ms|s|min|h|d)?\s*$/.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * TIME_UNIT_MS[match[2] ?? 'ms']!;
  return Number.isFinite(ms) ? ms : undefined;
}

/** True only for text PostgreSQL reads as boolean true (on, true, yes, 1 and unique prefixes of true/yes). */
export function isTrueSetting(text: string): boolean {
  const value = text.trim().toLowerCase();
  if (value === 'on' || value === '1') return true;
  return value.length > 0 && ('true'.startsWith(value) || 'yes'.startsWith(value));
}

const READ_ONLY_SETTINGS = new Set(['default_transaction_read_only', 'transaction_read_only']);

/**
 * The refusal for a statement that would raise or turn off the session's
 * statement_timeout, or turn off its read-only mode; undefined when it does
 * neither. Lowering the timeout and RESET to the startup value are fine.
 */
export function refusedSettingChange(statement: SettingsShape, limits: SessionSettingLimits, resource: string): Decision | undefined {
  const { statementTimeout, readOnly } = limits;
  if (statementTimeout === undefined && readOnly === undefined) return undefined;
  // DISCARD ALL runs RESET ALL.
  const changes: readonly SettingChangeShape[] = discardsAll(statement)
    ? [...(statement.settings ?? []), { name: undefined, via: 'reset', reset: true }]
    : (statement.settings ?? []);
  for (const change of changes) {
    const refusal = refusedChange(change, statementTimeout, readOnly, resource);
    if (refusal !== undefined) return refusal;
  }
  // The classifier also flags changes of the read-only settings themselves (RESET ALL included), judged
  // more finely above; anything else flagged (BEGIN READ WRITE) is refused here.
  if (readOnly !== undefined && statement.setsReadWrite === true && !changes.some(judgedAbove)) {
    return readOnlyRefusal(resource, `${statement.command} ... READ WRITE`);
  }
  return undefined;
}

/** Commands that end the transaction they run in; what follows in the same query text starts a new one. */
const ENDS_TRANSACTION = new Set(['COMMIT', 'ROLLBACK', 'PREPARE TRANSACTION']);

/**
 * For a simple-query text of several statements in a session held read-only:
 * PostgreSQL reports a change of default_transaction_read_only (made by a
 * function the gateway cannot see into) only when the whole text has run, so
 * a transaction started after a COMMIT in the same text could write before
 * the gateway hears of it. Such texts are refused; sent as separate queries,
 * each transaction begins after the gateway has seen the report. Returns the
 * index of the statement refused with its decision.
 */
export function refusedBatch(statements: readonly SettingsShape[], limits: SessionSettingLimits, resource: string): { index: number; decision: Decision } | undefined {
  if (limits.readOnly === undefined) return undefined;
  const last = statements.length - 1;
  const index = statements.findIndex((statement, at) => at < last && ENDS_TRANSACTION.has(statement.command));
  if (index < 0) return undefined;
  return {
    index,
    decision: deny(
      'DENY_READ_ONLY_SESSION',
      `this session on ${resource} is read-only because you hold no write access there, and a query text that goes on after ${statements[index]!.command} would start a transaction the gateway cannot check; send the statements after ${statements[index]!.command} as a separate query`,
    ),
  };
}

function refusedChange(
  change: SettingChangeShape,
  timeout: StatementTimeoutLimit | undefined,
  readOnly: SessionSettingLimits['readOnly'],
  resource: string,
): Decision | undefined {
  const restores = change.via === 'reset' || change.reset === true || (change.via === 'set' && change.value === undefined);
  if (change.name === undefined) {
    // RESET ALL restores startup values: the timeout's limit, and read-only only if it was a startup parameter.
    if (restores && change.via === 'reset') {
      return readOnly !== undefined && !readOnly.resetKeepsReadOnly ? readOnlyRefusal(resource, 'RESET ALL') : undefined;
    }
    // A set_config whose name is computed could name either setting.
    if (timeout !== undefined) return timeoutRefusal(resource, timeout, 'set_config with a setting name that is not a literal');
    return readOnly === undefined ? undefined : readOnlyRefusal(resource, 'set_config with a setting name that is not a literal');
  }
  if (change.name === 'statement_timeout' && timeout !== undefined) {
    if (restores) return undefined;
    const ms = change.value === undefined ? undefined : parseTimeoutMs(change.value);
    // Below 1 ms rounds to 0, which turns the limit off.
    if (ms === undefined || ms < 1 || ms > timeout.ms) return timeoutRefusal(resource, timeout, describeChange(change));
    return undefined;
  }
  if (READ_ONLY_SETTINGS.has(change.name) && readOnly !== undefined) {
    // RESET of either is refused outright: what it restores depends on how the session began.
    if (restores || change.value === undefined || !isTrueSetting(change.value)) return readOnlyRefusal(resource, describeChange(change));
  }
  return undefined;
}

function judgedAbove(change: SettingChangeShape): boolean {
  return change.name === undefined || READ_ONLY_SETTINGS.has(change.name);
}

function discardsAll(statement: SettingsShape): boolean {
  return statement.command === 'DISCARD ALL' || (statement.command === 'DISCARD' && /^DISCARD\s+ALL\b/i.test(statement.text ?? ''));
}

function describeChange(change: SettingChangeShape): string {
  const name = change.name ?? 'a setting';
  switch (change.via) {
    case 'reset':
      return `RESET ${name}`;
    case 'set_config':
      return change.value === undefined ? `set_config('${name}', ...) with a value that is not a literal` : `set_config('${name}', '${change.value}', ...)`;
    case 'set':
      return change.value === undefined ? `SET ${name} TO DEFAULT` : `SET ${name} = ${change.value}`;
  }
}

function timeoutRefusal(resource: string, limit: StatementTimeoutLimit, what: string): Decision {
  return deny(
    'DENY_GUARDRAIL_STATEMENT_TIMEOUT',
    `${what} would raise or turn off the statement_timeout of ${timeoutText(limit.ms)} that ${limit.guardrail} sets on ${resource}; lowering it is allowed. Split the work into smaller statements, or ask your sponsor for a scheduled job`,
  );
}

/** 60s as 1m, but 1500ms as it is: formatDuration drops what is below a second. */
export function timeoutText(ms: number): string {
  return ms % 1000 === 0 ? formatDuration(ms) : `${ms}ms`;
}

function readOnlyRefusal(resource: string, what: string): Decision {
  return deny(
    'DENY_READ_ONLY_SESSION',
    `this session on ${resource} is read-only because you hold no write access there, and ${what} would turn that off; request write access (stint request ${resource} --action write --for 30m --reason "...") and start a new transaction once it is approved`,
  );
}

function deny(reason: ReasonCode, message: string): Decision {
  return { allow: false, reason, message, obligations: NO_OBLIGATIONS, expiresAt: null };
}
