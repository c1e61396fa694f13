import { checkSecretKey } from './postgres-wire-backend-encode.ts';
import { CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from './postgres-wire-startup.ts';
import { MessageWriter } from './postgres-wire-writer.ts';

/**
 * Encoders for frontend messages (client → server): what the gateway sends
 * upstream when it opens its own session with the real credential, and the
 * extended-protocol messages it may need to inject (e.g. a Sync).
 */

export type StartupParams = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function isMap(params: StartupParams): params is ReadonlyMap<string, string> {
  return params instanceof Map;
}

export function startupMessage(params: StartupParams, minorVersion = 0): Buffer {
  const writer = new MessageWriter().int32((3 << 16) | minorVersion);
  const entries: Iterable<readonly [string, string]> = isMap(params) ? params.entries() : Object.entries(params);
  for (const [key, value] of entries) {
    // An empty key is the list terminator on the wire.
    if (key === '') throw new RangeError('a startup parameter name cannot be empty');
    writer.cstring(key).cstring(value);
  }
  return writer.byte(0).build();
}

export function sslRequest(): Buffer {
  return new MessageWriter().int32(SSL_REQUEST_CODE).build();
}

export function gssEncRequest(): Buffer {
  return new MessageWriter().int32(GSSENC_REQUEST_CODE).build();
}

export function cancelRequest(pid: number, secretKey: Uint8Array): Buffer {
  checkSecretKey(secretKey);
  return new MessageWriter().int32(CANCEL_REQUEST_CODE).int32(pid).bytes(secretKey).build();
}

export function passwordMessage(password: string): Buffer {
  return new MessageWriter().cstring(password).build('p');
}

/** `data` null sends length -1 ("no initial response"), distinct from an empty one. */
export function saslInitialResponse(mechanism: string, data: Uint8Array | null): Buffer {
  const writer = new MessageWriter().cstring(mechanism);
  if (data === null) writer.int32(-1);
  else writer.int32(data.length).bytes(data);
  return writer.build('p');
}

export function saslResponse(data: Uint8Array): Buffer {
  return new MessageWriter().bytes(data).build('p');
}

export function query(sql: string): Buffer {
  return new MessageWriter().cstring(sql).build('Q');
}

export function parse(name: string, sql: string, paramTypes: readonly number[] = []): Buffer {
  const writer = new MessageWriter().cstring(name).cstring(sql).uint16(paramTypes.length);
  for (const oid of paramTypes) writer.uint32(oid);
  return writer.build('P');
}

export interface BindInput {
  readonly portal?: string;
  readonly statement?: string;
  readonly paramFormats?: readonly number[];
  readonly params?: readonly (Uint8Array | null)[];
  readonly resultFormats?: readonly number[];
}

export function bind(input: BindInput): Buffer {
  const paramFormats = input.paramFormats ?? [];
  const params = input.params ?? [];
  const resultFormats = input.resultFormats ?? [];
  const writer = new MessageWriter().cstring(input.portal ?? '').cstring(input.statement ?? '');
  writer.uint16(paramFormats.length);
  for (const format of paramFormats) writer.int16(format);
  writer.uint16(params.length);
  for (const value of params) {
    if (value === null) writer.int32(-1);
    else writer.int32(value.length).bytes(value);
  }
  writer.uint16(resultFormats.length);
  for (const format of resultFormats) writer.int16(format);
  return writer.build('B');
}

export type DescribeTarget = 'S' | 'P';

export function describe(target: DescribeTarget, name = ''): Buffer {
  return new MessageWriter().byte(target.charCodeAt(0)).cstring(name).build('D');
}

export function execute(portal = '', maxRows = 0): Buffer {
  return new MessageWriter().cstring(portal).int32(maxRows).build('E');
}

export function close(target: DescribeTarget, name = ''): Buffer {
  return new MessageWriter().byte(target.charCodeAt(0)).cstring(name).build('C');
}

export function sync(): Buffer {
  return new MessageWriter().build('S');
}

export function flush(): Buffer {
  return new MessageWriter().build('H');
}

export function terminate(): Buffer {
  return new MessageWriter().build('X');
}

export function copyData(data: Uint8Array): Buffer {
  return new MessageWriter().bytes(data).build('d');
}

export function copyDone(): Buffer {
  return new MessageWriter().build('c');
}

export function copyFail(message: string): Buffer {
  return new MessageWriter().cstring(message).build('f');
}

/** `args` is everything after the function OID (formats, arguments, result format), passed through as is. */
export function functionCall(functionOid: number, args: Uint8Array = Buffer.alloc(0)): Buffer {
  return new MessageWriter().uint32(functionOid).bytes(args).build('F');
}
