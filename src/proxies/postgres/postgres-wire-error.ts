import { SQLSTATE, type SqlState } from './postgres-errors.ts';

/**
 * A byte stream that does not follow protocol 3.x. The decoders throw it and
 * then stay failed: after it, the connection's framing can no longer be
 * trusted, so the proxy answers with a FATAL ErrorResponse carrying
 * {@link sqlstate} and closes.
 */
export class WireProtocolError extends Error {
  readonly sqlstate: SqlState;

  constructor(message: string, sqlstate: SqlState = SQLSTATE.protocol_violation) {
    super(message);
    this.name = 'WireProtocolError';
    this.sqlstate = sqlstate;
  }
}

export function isWireProtocolError(value: unknown): value is WireProtocolError {
  return value instanceof WireProtocolError;
}
