import type { RowField, TransactionStatus } from './postgres-wire-backend-encode.ts';
import type { BackendFrame } from './postgres-wire-backend-framer.ts';
import { WireProtocolError } from './postgres-wire-error.ts';
import { describeTypeByte } from './postgres-wire-frame.ts';
import { BodyReader } from './postgres-wire-reader.ts';

/**
 * Parsers for the backend messages the gateway reads itself (authentication
 * with the upstream, session parameters, statement outcomes). Each takes the
 * frame from BackendFramer and checks its type, so a frame handed to the
 * wrong parser fails loudly instead of being misread.
 */

export type AuthenticationRequest =
  | { readonly kind: 'ok' }
  | { readonly kind: 'cleartextPassword' }
  | { readonly kind: 'md5Password'; readonly salt: Buffer }
  | { readonly kind: 'sasl'; readonly mechanisms: readonly string[] }
  | { readonly kind: 'saslContinue'; readonly data: Buffer }
  | { readonly kind: 'saslFinal'; readonly data: Buffer }
  /** Kerberos, GSSAPI, SSPI, ...: methods the gateway does not speak; `data` is the rest of the body. */
  | { readonly kind: 'other'; readonly subtype: number; readonly data: Buffer };

export interface ParsedErrorFields {
  /** Non-localised severity (V), or the localised one (S) from servers older than 9.6. */
  readonly severity: string;
  readonly localizedSeverity: string;
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** Every field by its one-character code (P position, W where, s schema, t table, ...). */
  readonly fields: ReadonlyMap<string, string>;
}

export interface CommandOutcome {
  readonly tag: string;
  /** The command word(s): "INSERT", "SELECT", "CREATE TABLE", ... */
  readonly command: string;
  /** Rows affected or returned, for commands whose tag carries a count; null otherwise. */
  readonly rows: number | null;
}

function reader(frame: BackendFrame, type: string, what: string): BodyReader {
  if (frame.type !== type) {
    throw new WireProtocolError(`expected ${what} ('${type}'), got message type ${describeTypeByte(frame.raw[0]!)}`);
  }
  return new BodyReader(frame.body, 0, what);
}

export function parseAuthentication(frame: BackendFrame): AuthenticationRequest {
  const body = reader(frame, 'R', 'Authentication message');
  const subtype = body.int32('subtype');
  switch (subtype) {
    case 0:
    case 3:
      body.end();
      return { kind: subtype === 0 ? 'ok' : 'cleartextPassword' };
    case 5: {
      const salt = body.bytes(4, 'salt');
      body.end();
      return { kind: 'md5Password', salt };
    }
    case 10: {
      const mechanisms: string[] = [];
      for (;;) {
        const mechanism = body.cstring('SASL mechanism');
        if (mechanism === '') break;
        mechanisms.push(mechanism);
      }
      body.end();
      return { kind: 'sasl', mechanisms };
    }
    case 11:
      return { kind: 'saslContinue', data: body.rest() };
    case 12:
      return { kind: 'saslFinal', data: body.rest() };
    default:
      return { kind: 'other', subtype, data: body.rest() };
  }
}

export function parseParameterStatus(frame: BackendFrame): { readonly name: string; readonly value: string } {
  const body = reader(frame, 'S', 'ParameterStatus message');
  const name = body.cstring('name');
  const value = body.cstring('value');
  body.end();
  return { name, value };
}

export function parseBackendKeyData(frame: BackendFrame): { readonly pid: number; readonly secretKey: Buffer } {
  const body = reader(frame, 'K', 'BackendKeyData message');
  const pid = body.int32('process id');
  const secretKey = body.rest();
  if (secretKey.length < 4 || secretKey.length > 256) {
    throw body.error(`secret key of ${secretKey.length} bytes (expected 4 to 256)`);
  }
  return { pid, secretKey };
}

export function parseReadyForQuery(frame: BackendFrame): TransactionStatus {
  const body = reader(frame, 'Z', 'ReadyForQuery message');
  const status = String.fromCharCode(body.uint8('status'));
  body.end();
  if (status !== 'I' && status !== 'T' && status !== 'E') {
    throw body.error(`unknown transaction status ${describeTypeByte(status.charCodeAt(0))}`);
  }
  return status;
}

// Tags whose last word is a row count ("INSERT oid rows" keeps a legacy OID before it).
const COUNTED_COMMANDS = new Set(['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'COPY', 'MERGE', 'FETCH', 'MOVE']);
const COUNT = /^\d+$/;

/** Reads a CommandComplete tag, e.g. "INSERT 0 5" → rows 5, "CREATE TABLE" → rows null. */
export function parseCommandTag(tag: string): CommandOutcome {
  const words = tag.split(' ');
  const first = words[0] ?? '';
  const last = words[words.length - 1] ?? '';
  const expectedWords = first === 'INSERT' ? 3 : 2;
  if (COUNTED_COMMANDS.has(first) && words.length === expectedWords && COUNT.test(last)) {
    return { tag, command: first, rows: Number(last) };
  }
  return { tag, command: tag, rows: null };
}

export function parseCommandComplete(frame: BackendFrame): CommandOutcome {
  const body = reader(frame, 'C', 'CommandComplete message');
  const tag = body.cstring('command tag');
  body.end();
  return parseCommandTag(tag);
}

/** ErrorResponse ('E') and NoticeResponse ('N') share one layout. */
export function parseErrorFields(frame: BackendFrame): ParsedErrorFields {
  const what = frame.type === 'N' ? 'NoticeResponse message' : 'ErrorResponse message';
  const body = reader(frame, frame.type === 'N' ? 'N' : 'E', what);
  const fields = new Map<string, string>();
  for (;;) {
    const code = body.uint8('field type');
    if (code === 0) break;
    fields.set(String.fromCharCode(code), body.cstring(`field ${describeTypeByte(code)}`));
  }
  body.end();
  const localizedSeverity = fields.get('S');
  const severity = fields.get('V') ?? localizedSeverity;
  const sqlstate = fields.get('C');
  const message = fields.get('M');
  if (severity === undefined || sqlstate === undefined || message === undefined) {
    throw body.error('severity, code and message fields are required');
  }
  const detail = fields.get('D');
  const hint = fields.get('H');
  return {
    severity,
    localizedSeverity: localizedSeverity ?? severity,
    code: sqlstate,
    message,
    ...(detail === undefined ? {} : { detail }),
    ...(hint === undefined ? {} : { hint }),
    fields,
  };
}

export function parseRowDescription(frame: BackendFrame): RowField[] {
  const body = reader(frame, 'T', 'RowDescription message');
  // Each field is at least a NUL name and 18 bytes of attributes.
  const count = body.count('field', 19);
  const fields: RowField[] = [];
  for (let i = 0; i < count; i++) {
    fields.push({
      name: body.cstring('field name'),
      tableOid: body.uint32('table OID'),
      columnAttr: body.int16('column number'),
      typeOid: body.uint32('type OID'),
      typeSize: body.int16('type size'),
      typeModifier: body.int32('type modifier'),
      format: body.int16('format code'),
    });
  }
  body.end();
  return fields;
}

/** Column values as views into the frame (null for SQL NULL). */
export function parseDataRow(frame: BackendFrame): (Buffer | null)[] {
  const body = reader(frame, 'D', 'DataRow message');
  const count = body.count('column', 4);
  const values: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) {
    const length = body.int32('column length');
    if (length === -1) values.push(null);
    else if (length < 0) throw body.error(`column ${i + 1} has invalid length ${length}`);
    else values.push(body.bytes(length, `column ${i + 1}`));
  }
  body.end();
  return values;
}
