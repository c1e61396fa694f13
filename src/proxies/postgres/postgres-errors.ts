import { errorResponse } from './postgres-wire-backend-encode.ts';
import type { WireProtocolError } from './postgres-wire-error.ts';

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
}

/**
 * Builds the ErrorResponse the gateway sends for its own refusals. The code is
 * checked here because a malformed SQLSTATE confuses drivers that branch on
 * its class; only real codes may reach a client.
 */
export function errorResponseFor(input: GatewayErrorInput): Buffer {
  if (!isSqlState(input.code)) throw new RangeError(`"${input.code}" is not a SQLSTATE (five digits or upper-case letters)`);
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
