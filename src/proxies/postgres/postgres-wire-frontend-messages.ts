import type { DescribeTarget } from './postgres-wire-frontend-encode.ts';
import { TYPED_HEADER_BYTES } from './postgres-wire-frame.ts';
import { BodyReader } from './postgres-wire-reader.ts';
import type { StartupPacket } from './postgres-wire-startup.ts';

/**
 * Typed frontend messages (Byte1 type, Int32 length, body). Every message
 * keeps `raw`, its exact bytes, so the proxy can forward what it inspected
 * without re-encoding it; byte fields are views into `raw`.
 */

interface Raw {
  readonly raw: Buffer;
}

export interface QueryMessage extends Raw {
  readonly type: 'query';
  readonly sql: string;
}

export interface ParseMessage extends Raw {
  readonly type: 'parse';
  readonly name: string;
  readonly sql: string;
  readonly paramTypes: readonly number[];
}

export interface BindMessage extends Raw {
  readonly type: 'bind';
  readonly portal: string;
  readonly statement: string;
  readonly paramFormats: readonly number[];
  readonly params: readonly (Buffer | null)[];
  readonly resultFormats: readonly number[];
}

export interface DescribeMessage extends Raw {
  readonly type: 'describe';
  readonly target: DescribeTarget;
  readonly name: string;
}

export interface ExecuteMessage extends Raw {
  readonly type: 'execute';
  readonly portal: string;
  /** 0 (or less) means all rows. */
  readonly maxRows: number;
}

export interface CloseMessage extends Raw {
  readonly type: 'close';
  readonly target: DescribeTarget;
  readonly name: string;
}

export interface EmptyMessage extends Raw {
  readonly type: 'sync' | 'flush' | 'terminate' | 'copyDone';
}

export interface CopyDataMessage extends Raw {
  readonly type: 'copyData';
  readonly data: Buffer;
}

export interface CopyFailMessage extends Raw {
  readonly type: 'copyFail';
  readonly message: string;
}

/** 'p' read as a cleartext password, the only authentication the gateway asks clients for. */
export interface PasswordMessage extends Raw {
  readonly type: 'password';
  readonly password: string;
}

export interface FunctionCallMessage extends Raw {
  readonly type: 'functionCall';
  readonly functionOid: number;
  /** Argument formats, arguments and result format, undecoded. */
  readonly args: Buffer;
}

/** Any other type byte; the proxy refuses these rather than forward what it cannot inspect. */
export interface UnknownMessage extends Raw {
  readonly type: 'unknown';
  readonly code: string;
  readonly body: Buffer;
}

export type TypedFrontendMessage =
  | QueryMessage
  | ParseMessage
  | BindMessage
  | DescribeMessage
  | ExecuteMessage
  | CloseMessage
  | EmptyMessage
  | CopyDataMessage
  | CopyFailMessage
  | PasswordMessage
  | FunctionCallMessage
  | UnknownMessage;

export type FrontendMessage = StartupPacket | TypedFrontendMessage;

const EMPTY_TYPES: Readonly<Record<string, EmptyMessage['type']>> = { S: 'sync', H: 'flush', X: 'terminate', c: 'copyDone' };

/** `raw` is one whole typed message whose length field was already checked. */
export function parseFrontendMessage(raw: Buffer): TypedFrontendMessage {
  const code = String.fromCharCode(raw[0]!);
  const emptyType = Object.hasOwn(EMPTY_TYPES, code) ? EMPTY_TYPES[code] : undefined;
  if (emptyType !== undefined) {
    new BodyReader(raw, TYPED_HEADER_BYTES, `${emptyType} message`).end();
    return { type: emptyType, raw };
  }
  switch (code) {
    case 'Q': {
      const reader = new BodyReader(raw, TYPED_HEADER_BYTES, 'Query message');
      const sql = reader.cstring('query string');
      reader.end();
      return { type: 'query', raw, sql };
    }
    case 'P':
      return parseParse(raw);
    case 'B':
      return parseBind(raw);
    case 'D':
    case 'C':
      return parseTargeted(raw, code === 'D' ? 'describe' : 'close');
    case 'E': {
      const reader = new BodyReader(raw, TYPED_HEADER_BYTES, 'Execute message');
      const portal = reader.cstring('portal name');
      const maxRows = reader.int32('row limit');
      reader.end();
      return { type: 'execute', raw, portal, maxRows };
    }
    case 'd':
      return { type: 'copyData', raw, data: raw.subarray(TYPED_HEADER_BYTES) };
    case 'f': {
      const reader = new BodyReader(raw, TYPED_HEADER_BYTES, 'CopyFail message');
      const message = reader.cstring('error message');
      reader.end();
      return { type: 'copyFail', raw, message };
    }
    case 'p': {
      const reader = new BodyReader(raw, TYPED_HEADER_BYTES, 'password message');
      const password = reader.cstring('password');
      reader.end();
      return { type: 'password', raw, password };
    }
    case 'F': {
      const reader = new BodyReader(raw, TYPED_HEADER_BYTES, 'FunctionCall message');
      const functionOid = reader.uint32('function OID');
      return { type: 'functionCall', raw, functionOid, args: reader.rest() };
    }
    default:
      return { type: 'unknown', raw, code, body: raw.subarray(TYPED_HEADER_BYTES) };
  }
}

function parseParse(raw: Buffer): ParseMessage {
  const reader = new BodyReader(raw, TYPED_HEADER_BYTES, 'Parse message');
  const name = reader.cstring('statement name');
  const sql = reader.cstring('query string');
  const count = reader.count('parameter type', 4);
  const paramTypes: number[] = [];
  for (let i = 0; i < count; i++) paramTypes.push(reader.uint32('parameter type'));
  reader.end();
  return { type: 'parse', raw, name, sql, paramTypes };
}

function formatCodes(reader: BodyReader, field: string): number[] {
  const count = reader.count(field, 2);
  const formats: number[] = [];
  for (let i = 0; i < count; i++) {
    const format = reader.int16(field);
    if (format !== 0 && format !== 1) throw reader.error(`unsupported format code ${format}`);
    formats.push(format);
  }
  return formats;
}

function parseBind(raw: Buffer): BindMessage {
  const reader = new BodyReader(raw, TYPED_HEADER_BYTES, 'Bind message');
  const portal = reader.cstring('portal name');
  const statement = reader.cstring('statement name');
  const paramFormats = formatCodes(reader, 'parameter format');
  const count = reader.count('parameter', 4);
  // The format list applies to all parameters (0 or 1 entries) or one each;
  // anything else leaves a value's format ambiguous for whoever inspects it.
  if (paramFormats.length > 1 && paramFormats.length !== count) {
    throw reader.error(`${paramFormats.length} parameter formats for ${count} parameters`);
  }
  const params: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.int32('parameter length');
    if (length === -1) params.push(null);
    else if (length < 0) throw reader.error(`parameter ${i + 1} has invalid length ${length}`);
    else params.push(reader.bytes(length, `parameter ${i + 1}`));
  }
  const resultFormats = formatCodes(reader, 'result format');
  reader.end();
  return { type: 'bind', raw, portal, statement, paramFormats, params, resultFormats };
}

function parseTargeted(raw: Buffer, type: 'describe' | 'close'): DescribeMessage | CloseMessage {
  const what = type === 'describe' ? 'Describe message' : 'Close message';
  const reader = new BodyReader(raw, TYPED_HEADER_BYTES, what);
  const target = String.fromCharCode(reader.uint8('target'));
  if (target !== 'S' && target !== 'P') throw reader.error(`target must be 'S' or 'P', got code ${target.charCodeAt(0)}`);
  const name = reader.cstring('name');
  reader.end();
  return { type, raw, target, name };
}
