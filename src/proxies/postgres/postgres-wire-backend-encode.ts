import { MessageWriter } from './postgres-wire-writer.ts';

/**
 * Encoders for backend messages (server → client): the ones the gateway sends
 * its clients itself, plus the result messages a test server needs.
 */

export type TransactionStatus = 'I' | 'T' | 'E';

/** The ErrorResponse / NoticeResponse fields the gateway writes. */
export interface NoticeFields {
  /** ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO or LOG; sent as both S and V. */
  readonly severity: string;
  /** Five-character SQLSTATE. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

export interface RowField {
  readonly name: string;
  readonly tableOid: number;
  readonly columnAttr: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  /** 0 text, 1 binary. */
  readonly format: number;
}

/** Secret keys are 4 bytes in protocol 3.0 and up to 256 in 3.2. */
export function checkSecretKey(secretKey: Uint8Array): void {
  if (secretKey.length < 4 || secretKey.length > 256) {
    throw new RangeError(`a cancel secret key is 4 to 256 bytes, got ${secretKey.length}`);
  }
}

export function authenticationOk(): Buffer {
  return new MessageWriter().int32(0).build('R');
}

export function authenticationCleartextPassword(): Buffer {
  return new MessageWriter().int32(3).build('R');
}

export function authenticationMd5Password(salt: Uint8Array): Buffer {
  if (salt.length !== 4) throw new RangeError(`an MD5 salt is 4 bytes, got ${salt.length}`);
  return new MessageWriter().int32(5).bytes(salt).build('R');
}

export function authenticationSasl(mechanisms: readonly string[]): Buffer {
  const writer = new MessageWriter().int32(10);
  for (const mechanism of mechanisms) {
    if (mechanism === '') throw new RangeError('a SASL mechanism name cannot be empty');
    writer.cstring(mechanism);
  }
  return writer.byte(0).build('R');
}

export function authenticationSaslContinue(data: Uint8Array): Buffer {
  return new MessageWriter().int32(11).bytes(data).build('R');
}

export function authenticationSaslFinal(data: Uint8Array): Buffer {
  return new MessageWriter().int32(12).bytes(data).build('R');
}

export function parameterStatus(name: string, value: string): Buffer {
  return new MessageWriter().cstring(name).cstring(value).build('S');
}

export function backendKeyData(pid: number, secretKey: Uint8Array): Buffer {
  checkSecretKey(secretKey);
  return new MessageWriter().int32(pid).bytes(secretKey).build('K');
}

export function readyForQuery(status: TransactionStatus): Buffer {
  return new MessageWriter().byte(status.charCodeAt(0)).build('Z');
}

/** The one-byte answer to SSLRequest / GSSENCRequest: 'S' to start the handshake, 'N' to continue in plain text. */
export function sslResponse(accepted: boolean): Buffer {
  return Buffer.from(accepted ? 'S' : 'N', 'latin1');
}

/**
 * Field text may come from anywhere (a statement, an upstream message); a NUL
 * inside it would cut the field, so it is replaced instead of refusing to
 * send the error at all.
 */
function noticeBody(fields: NoticeFields): MessageWriter {
  const writer = new MessageWriter();
  const field = (code: string, value: string | undefined): void => {
    if (value !== undefined) writer.byte(code.charCodeAt(0)).cstring(value.replaceAll('\0', '\uFFFD'));
  };
  field('S', fields.severity);
  field('V', fields.severity);
  field('C', fields.code);
  field('M', fields.message);
  field('D', fields.detail);
  field('H', fields.hint);
  return writer.byte(0);
}

export function errorResponse(fields: NoticeFields): Buffer {
  return noticeBody(fields).build('E');
}

export function noticeResponse(fields: NoticeFields): Buffer {
  return noticeBody(fields).build('N');
}

/** Tells a client asking for a newer 3.x minor version (or `_pq_.` options) what the gateway speaks. */
export function negotiateProtocolVersion(newestMinor: number, unrecognizedOptions: readonly string[] = []): Buffer {
  const writer = new MessageWriter().int32(newestMinor).int32(unrecognizedOptions.length);
  for (const option of unrecognizedOptions) writer.cstring(option);
  return writer.build('v');
}

export function commandComplete(tag: string): Buffer {
  return new MessageWriter().cstring(tag).build('C');
}

export function emptyQueryResponse(): Buffer {
  return new MessageWriter().build('I');
}

export function rowDescription(fields: readonly RowField[]): Buffer {
  const writer = new MessageWriter().uint16(fields.length);
  for (const field of fields) {
    writer
      .cstring(field.name)
      .uint32(field.tableOid)
      .int16(field.columnAttr)
      .uint32(field.typeOid)
      .int16(field.typeSize)
      .int32(field.typeModifier)
      .int16(field.format);
  }
  return writer.build('T');
}

export function dataRow(values: readonly (Uint8Array | null)[]): Buffer {
  const writer = new MessageWriter().uint16(values.length);
  for (const value of values) {
    if (value === null) writer.int32(-1);
    else writer.int32(value.length).bytes(value);
  }
  return writer.build('D');
}
