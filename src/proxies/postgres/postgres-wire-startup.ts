import { SQLSTATE } from './postgres-errors.ts';
import { WireProtocolError } from './postgres-wire-error.ts';
import { BodyReader } from './postgres-wire-reader.ts';

/**
 * Startup-phase packets: untyped (Int32 length including itself, then an
 * Int32 code), sent before the first typed message. The code is a protocol
 * version (major << 16 | minor) or one of the magic request codes below.
 */

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
export const PROTOCOL_MAJOR = 3;

export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

export interface StartupMessage {
  readonly type: 'startup';
  readonly raw: Buffer;
  /** Always major 3; the minor is what the client asked for (0, or 2 for protocol 3.2). */
  readonly protocol: ProtocolVersion;
  /** user, database, application_name, options, `_pq_.*`, ... in the order sent. */
  readonly params: ReadonlyMap<string, string>;
}

export interface SslRequest {
  readonly type: 'sslRequest';
  readonly raw: Buffer;
}

export interface GssEncRequest {
  readonly type: 'gssEncRequest';
  readonly raw: Buffer;
}

export interface CancelRequest {
  readonly type: 'cancelRequest';
  readonly raw: Buffer;
  readonly pid: number;
  /** 4 bytes in protocol 3.0, up to 256 in 3.2. */
  readonly secretKey: Buffer;
}

export type StartupPacket = StartupMessage | SslRequest | GssEncRequest | CancelRequest;

/** The smallest startup packet: length and code. */
export const MIN_STARTUP_PACKET_BYTES = 8;

/** `raw` is one whole packet whose length field was already checked against the limits. */
export function parseStartupPacket(raw: Buffer): StartupPacket {
  const code = raw.readInt32BE(4);
  switch (code) {
    case SSL_REQUEST_CODE:
    case GSSENC_REQUEST_CODE: {
      const type = code === SSL_REQUEST_CODE ? 'sslRequest' : 'gssEncRequest';
      if (raw.length !== 8) throw new WireProtocolError(`invalid length ${raw.length} of ${type} packet (expected 8)`);
      return { type, raw };
    }
    case CANCEL_REQUEST_CODE:
      return parseCancelRequest(raw);
    default:
      return parseStartupMessage(raw, code);
  }
}

function parseCancelRequest(raw: Buffer): CancelRequest {
  const reader = new BodyReader(raw, 8, 'CancelRequest packet');
  const pid = reader.int32('process id');
  const keyLength = reader.remaining;
  if (keyLength < 4 || keyLength > 256) throw reader.error(`secret key of ${keyLength} bytes (expected 4 to 256)`);
  return { type: 'cancelRequest', raw, pid, secretKey: reader.rest() };
}

function parseStartupMessage(raw: Buffer, code: number): StartupMessage {
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== PROTOCOL_MAJOR) {
    throw new WireProtocolError(
      `unsupported frontend protocol ${major}.${minor}: only protocol 3.x is supported`,
      SQLSTATE.feature_not_supported,
    );
  }
  const reader = new BodyReader(raw, 8, 'startup packet');
  const params = new Map<string, string>();
  for (;;) {
    if (reader.remaining === 0) throw reader.error('missing terminator after the parameter list');
    const key = reader.cstring('parameter name');
    if (key === '') break;
    if (reader.remaining === 0) throw reader.error(`parameter "${key}" has no value`);
    const value = reader.cstring(`value of parameter "${key}"`);
    // The gateway reads one value and the server might honour another; refuse instead of choosing.
    if (params.has(key)) throw reader.error(`parameter "${key}" appears twice`);
    params.set(key, value);
  }
  reader.end();
  return { type: 'startup', raw, protocol: { major, minor }, params };
}
