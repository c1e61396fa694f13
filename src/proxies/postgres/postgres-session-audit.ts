import { createHash } from 'node:crypto';
import type { Action } from '../../access/access-model.ts';
import type { Obligation } from '../../access/decision.ts';
import type { AuditEventInput } from '../../audit/audit-event.ts';
import type { StatementInfo } from '../../sql/sql-types.ts';
import type { GatewayRefusal } from './postgres-errors.ts';
import type { JudgedStatement } from './postgres-statement-gate.ts';

/**
 * The audit records of a session's statements. Each stays well under the
 * audit log's 64 KiB data limit: long texts and parameters are cut, with the
 * full length and a SHA-256 kept so the original can still be matched.
 */

export const AUDIT_TEXT_BYTES = 16 * 1024;
export const AUDIT_PARAM_COUNT = 100;
export const AUDIT_PARAM_BYTES = 256;
const SUMMARY_TEXT_CHARS = 200;

export interface SessionAuditContext {
  readonly sessionId: string;
  readonly email: string;
  readonly resource: string;
}

/** How the statement reached the gateway. */
export type StatementVia = 'simple' | 'extended' | 'function';

export interface BoundParams {
  readonly params: readonly (Buffer | null)[];
  readonly paramFormats: readonly number[];
}

function cutUtf8(text: string, bytes: number): { text: string; cut: boolean } {
  if (Buffer.byteLength(text) <= bytes) return { text, cut: false };
  // toString drops a character split at the end instead of emitting a broken one.
  const cut = Buffer.from(text).subarray(0, bytes).toString('utf8').replace(/\uFFFD$/, '');
  return { text: cut, cut: true };
}

/** The statement text as recorded: whole when short, else its start plus length and hash. */
export function auditText(text: string): Record<string, unknown> {
  const { text: kept, cut } = cutUtf8(text, AUDIT_TEXT_BYTES);
  if (!cut) return { text };
  return { text: kept, textTruncated: true, textBytes: Buffer.byteLength(text), textSha256: createHash('sha256').update(text).digest('hex') };
}

/**
 * Bind parameters as recorded: text values as strings, binary ones as base64
 * (or just their size when long), NULL as null; at most AUDIT_PARAM_COUNT.
 */
export function auditParams(bound: BoundParams): Record<string, unknown> {
  const { params, paramFormats } = bound;
  const values = params.slice(0, AUDIT_PARAM_COUNT).map((value, index) => {
    if (value === null) return null;
    const format = paramFormats.length === 1 ? paramFormats[0] : (paramFormats[index] ?? 0);
    if (format === 1) return value.length <= AUDIT_PARAM_BYTES ? { base64: value.toString('base64') } : `<binary ${value.length} bytes>`;
    const text = value.toString('utf8');
    const { text: kept, cut } = cutUtf8(text, AUDIT_PARAM_BYTES);
    return cut ? `${kept}…[${value.length} bytes]` : text;
  });
  return { params: values, ...(params.length > AUDIT_PARAM_COUNT ? { paramCount: params.length } : {}) };
}

function classification(info: StatementInfo, action: Action | undefined): Record<string, unknown> {
  return {
    class: action ?? info.class,
    statementClass: info.class,
    command: info.command,
    tablesRead: info.tablesRead,
    tablesWritten: info.tablesWritten,
    functions: info.functions,
  };
}

function snippet(text: string): string {
  // Cut before normalising: texts can be megabytes long.
  const line = text.slice(0, SUMMARY_TEXT_CHARS * 4).replace(/\s+/g, ' ').trim();
  return line.length > SUMMARY_TEXT_CHARS ? `${line.slice(0, SUMMARY_TEXT_CHARS)}…` : line;
}

export interface AllowedDetails {
  readonly via: StatementVia;
  readonly bound?: BoundParams;
  readonly statementName?: string;
  readonly portal?: string;
  /** Position in a simple-query batch, 0-based, and the batch size. */
  readonly index?: number;
  readonly of?: number;
}

export function statementAllowedEvent(ctx: SessionAuditContext, statement: JudgedStatement, details: AllowedDetails): AuditEventInput {
  const { info, action, decision, runs } = statement;
  return {
    code: 'STATEMENT_ALLOWED',
    actor: ctx.email,
    resource: ctx.resource,
    subject: ctx.sessionId,
    summary: `${ctx.email} ran ${info.command} (${action}) on ${ctx.resource}: ${snippet(runs === undefined ? info.text : `${info.text} → ${runs.text}`)}`,
    data: {
      session: ctx.sessionId,
      via: details.via,
      ...classification(info, action),
      ...auditText(info.text),
      ...(runs === undefined ? {} : { executes: { command: runs.command, class: runs.class, ...auditText(runs.text) } }),
      ...(details.bound === undefined ? {} : auditParams(details.bound)),
      ...(details.statementName === undefined ? {} : { statementName: details.statementName }),
      ...(details.portal === undefined ? {} : { portal: details.portal }),
      ...(details.index === undefined ? {} : { index: details.index, of: details.of }),
      reason: decision.reason,
    },
  };
}

export interface DeniedDetails {
  readonly via: StatementVia;
  /** The text as sent, when the refused statement has none of its own (unparseable SQL). */
  readonly text?: string;
  readonly bound?: BoundParams;
}

export function statementDeniedEvent(
  ctx: SessionAuditContext,
  refused: { readonly refusal: GatewayRefusal; readonly info?: StatementInfo; readonly action?: Action },
  details: DeniedDetails,
): AuditEventInput {
  const { refusal, info, action } = refused;
  const text = info?.text ?? details.text ?? '';
  const what = info === undefined ? 'a statement' : `${info.command}${action === undefined ? '' : ` (${action})`}`;
  return {
    code: 'STATEMENT_DENIED',
    actor: ctx.email,
    resource: ctx.resource,
    subject: ctx.sessionId,
    summary: `Stint refused ${what} for ${ctx.email} on ${ctx.resource} (${refusal.reason}): ${snippet(text)}`,
    data: {
      session: ctx.sessionId,
      via: details.via,
      ...(info === undefined ? {} : classification(info, action)),
      ...auditText(text),
      ...(details.bound === undefined ? {} : auditParams(details.bound)),
      reason: refusal.reason,
      sqlstate: refusal.code,
      message: refusal.message,
    },
  };
}

/** A forwarded statement waiting for its outcome. */
export interface RunningStatement {
  readonly info: StatementInfo;
  readonly action: Action;
  readonly startedAt: number;
  /** Sequence number of its STATEMENT_ALLOWED record, to tie the outcome to it. */
  readonly allowedSeq: number;
  /** What the gateway must do with its results (masks, max_rows); see postgres-mask-results.ts. */
  readonly obligations?: readonly Obligation[];
  /** For an Execute whose results carry obligations: the portal it runs. */
  readonly portal?: string;
}

export function statementCompletedEvent(
  ctx: SessionAuditContext,
  running: RunningStatement,
  outcome: { readonly tag: string; readonly rows: number | null; readonly suspended?: boolean },
  endedAt: number,
): AuditEventInput {
  const durationMs = endedAt - running.startedAt;
  return {
    code: 'STATEMENT_COMPLETED',
    actor: ctx.email,
    resource: ctx.resource,
    subject: ctx.sessionId,
    summary: `${running.info.command} on ${ctx.resource} by ${ctx.email} completed (${outcome.tag}) in ${durationMs} ms.`,
    data: {
      session: ctx.sessionId,
      allowedSeq: running.allowedSeq,
      command: running.info.command,
      tag: outcome.tag,
      rows: outcome.rows,
      durationMs,
      ...(outcome.suspended === true ? { suspended: true } : {}),
    },
  };
}

export function statementFailedEvent(
  ctx: SessionAuditContext,
  running: RunningStatement,
  failure: { readonly sqlstate: string | null; readonly message: string; readonly executed: boolean },
  endedAt: number,
): AuditEventInput {
  const durationMs = endedAt - running.startedAt;
  return {
    code: 'STATEMENT_FAILED',
    actor: ctx.email,
    resource: ctx.resource,
    subject: ctx.sessionId,
    summary: `${running.info.command} on ${ctx.resource} by ${ctx.email} failed${failure.sqlstate === null ? '' : ` (${failure.sqlstate})`}: ${failure.message}`,
    data: {
      session: ctx.sessionId,
      allowedSeq: running.allowedSeq,
      command: running.info.command,
      sqlstate: failure.sqlstate,
      message: failure.message,
      executed: failure.executed,
      durationMs,
    },
  };
}
