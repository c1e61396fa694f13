import { errorResponse } from './postgres-wire-backend-encode.ts';
import type { WireProtocolError } from './postgres-wire-error.ts';
import { MessageWriter } from './postgres-wire-writer.ts';

/**
 * The SQLSTATE codes the gateway itself sends to clients, named as in
 * PostgreSQL's "Appendix A. Error Codes" so they can be looked up there.
 * Clients and drivers branch on these (e.g. 28P01 makes psql ask again for a
 * password), so each one must mean exactly what PostgreSQL means by it.
 */
export const SQLSTATE = {
  invalid_password: '28P01',
  invalid_authorization_specification: '28000',
  invalid_catalog_name: '3D000',
  insufficient_privilege: '42501',
  protocol_violation: '08P01',
  connection_failure: '08006',
  admin_shutdown: '57P01',
  query_canceled: '57014',
  feature_not_supported: '0A000',
  too_many_connections: '53300',
  read_only_sql_transaction: '25006',
  character_not_in_repertoire: '22021',
  internal_error: 'XX000',
  syntax_error: '42601',
  invalid_sql_statement_name: '26000',
  invalid_cursor_name: '34000',
} as const;

export type SqlStateName = keyof typeof SQLSTATE;
export type SqlState = (typeof SQLSTATE)[SqlStateName];

const SQLSTATE_SHAPE = /^[0-9A-Z]{5}$/;

/** True for a well-formed SQLSTATE: five digits or upper-case letters. */
export function isSqlState(code: string): boolean {
  return SQLSTATE_SHAPE.test(code);
}

export interface GatewayErrorInput {
  /** A five-character SQLSTATE, normally one of {@link SQLSTATE}. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** FATAL tells the client the connection ends after this message; ERROR keeps it open. */
  readonly fatal?: boolean;
  /** 1-based character position in the query text, which psql marks with a caret. */
  readonly position?: number;
}

/**
 * Builds the ErrorResponse the gateway sends for its own refusals. The code is
 * checked here because a malformed SQLSTATE confuses drivers that branch on
 * its class; only real codes may reach a client.
 */
export function errorResponseFor(input: GatewayErrorInput): Buffer {
  if (!isSqlState(input.code)) throw new RangeError(`"${input.code}" is not a SQLSTATE (five digits or upper-case letters)`);
  if (input.position !== undefined) return withPosition(input, input.position);
  return errorResponse({
    severity: input.fatal === true ? 'FATAL' : 'ERROR',
    code: input.code,
    message: input.message,
    ...(input.detail === undefined ? {} : { detail: input.detail }),
    ...(input.hint === undefined ? {} : { hint: input.hint }),
  });
}

/** The FATAL ErrorResponse for a stream the decoder rejected; the connection must close after it. */
export function errorResponseForWireError(error: WireProtocolError): Buffer {
  return errorResponseFor({ code: error.sqlstate, message: error.message, fatal: true });
}

/** The codec's encoder has no position field; the few refusals that carry one are written here. */
function withPosition(input: GatewayErrorInput, position: number): Buffer {
  const writer = new MessageWriter();
  const field = (code: string, value: string | undefined): void => {
    if (value !== undefined) writer.byte(code.charCodeAt(0)).cstring(value.replaceAll('\0', '\uFFFD'));
  };
  const severity = input.fatal === true ? 'FATAL' : 'ERROR';
  field('S', severity);
  field('V', severity);
  field('C', input.code);
  field('M', input.message);
  field('D', input.detail);
  field('H', input.hint);
  field('P', String(position));
  return writer.byte(0).build('E');
}

/**
 * A refusal of the gateway's own, ready to send: what the client reads, and
 * `reason`, the stable code the audit record carries (a decision's reason
 * code, or one of the gateway's for refusals no decision made).
 */
export interface GatewayRefusal extends GatewayErrorInput {
  readonly reason: string;
}

/** Gateway reason codes for statement refusals that no access decision made. */
export const STATEMENT_REFUSAL_REASONS = {
  unparseable: 'DENY_UNPARSEABLE_SQL',
  unknownStatement: 'DENY_UNKNOWN_PREPARED_STATEMENT',
  unknownPortal: 'DENY_UNKNOWN_PORTAL',
  auditUnavailable: 'DENY_AUDIT_UNAVAILABLE',
} as const;

export interface DenialInput {
  readonly action: string;
  readonly resource: string;
  readonly email: string;
  /** The decision's reason code and its sentence for the contractor. */
  readonly reason: string;
  readonly decisionMessage: string;
  /** What was refused: "INSERT", "fast-path function call", ... */
  readonly command: string;
}

/**
 * Refusals of a setting change: the action itself is allowed, the change would
 * loosen what the session is held to. The hint says what to do instead.
 */
const SETTING_REFUSAL_HINTS: Readonly<Record<string, (resource: string) => string>> = {
  DENY_GUARDRAIL_STATEMENT_TIMEOUT: () => 'keep or lower statement_timeout; split the work into smaller statements, or ask your sponsor for a scheduled job',
  DENY_READ_ONLY_SESSION: (resource) => `request write access (stint request ${resource} --action write --for 30m --reason "..."), then start a new transaction once it is approved`,
};

/** A statement an access decision refused: 42501 with what, why, and what to do next. */
export function statementDenied(input: DenialInput): GatewayRefusal {
  const { action, resource, email, reason } = input;
  const settingHint = SETTING_REFUSAL_HINTS[reason];
  if (settingHint !== undefined) {
    return {
      code: SQLSTATE.insufficient_privilege,
      message: `permission denied by Stint: the statement would loosen a limit this session on resource ${resource} is held to (${reason})`,
      detail: `The statement (${input.command}): ${input.decisionMessage}.`,
      hint: settingHint(resource),
      reason,
    };
  }
  const hint =
    reason === 'DENY_NO_GRANT'
      ? `ask your sponsor for a role with ${action}, or request access: stint request ${resource} --action ${action}`
      : input.decisionMessage;
  return {
    code: SQLSTATE.insufficient_privilege,
    message: `permission denied by Stint: ${action} on resource ${resource} is not allowed for ${email} (${reason})`,
    detail: `The statement (${input.command}) needs ${action}: ${input.decisionMessage}.`,
    hint,
    reason,
  };
}

/** SQL the gateway's parser cannot read is never forwarded (fail closed); the parser's own words explain why. */
export function unparseableSql(error: string, position?: number): GatewayRefusal {
  return {
    code: SQLSTATE.syntax_error,
    message: error,
    hint: 'Stint forwards only SQL it can parse; correct the statement and run it again',
    ...(position === undefined ? {} : { position }),
    reason: STATEMENT_REFUSAL_REASONS.unparseable,
  };
}

export function unknownPreparedStatement(name: string): GatewayRefusal {
  return {
    code: SQLSTATE.invalid_sql_statement_name,
    message: name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`,
    reason: STATEMENT_REFUSAL_REASONS.unknownStatement,
  };
}

export function unknownPortal(name: string): GatewayRefusal {
  return {
    code: SQLSTATE.invalid_cursor_name,
    message: name === '' ? 'unnamed portal does not exist' : `portal "${name}" does not exist`,
    hint: name === '' ? undefined : 'Stint executes only portals bound in this session; read SQL cursors with FETCH',
    reason: STATEMENT_REFUSAL_REASONS.unknownPortal,
  };
}

/** Fail closed: a statement whose audit record cannot be written is not run. */
export function auditUnavailable(): GatewayRefusal {
  return {
    code: SQLSTATE.internal_error,
    message: 'audit log unavailable, statement refused',
    hint: 'Stint runs nothing it cannot record; try again in a moment, and tell your sponsor if it persists',
    reason: STATEMENT_REFUSAL_REASONS.auditUnavailable,
  };
}
