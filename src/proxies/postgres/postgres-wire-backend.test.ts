import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { describe, expect, it } from 'vitest';
import {
  authenticationCleartextPassword,
  authenticationMd5Password,
  authenticationOk,
  authenticationSasl,
  authenticationSaslContinue,
  authenticationSaslFinal,
  BackendFramer,
  backendKeyData,
  commandComplete,
  dataRow,
  emptyQueryResponse,
  errorResponse,
  negotiateProtocolVersion,
  noticeResponse,
  parameterStatus,
  parseAuthentication,
  parseBackendKeyData,
  parseCommandComplete,
  parseCommandTag,
  parseDataRow,
  parseErrorFields,
  parseParameterStatus,
  parseReadyForQuery,
  parseRowDescription,
  readyForQuery,
  rowDescription,
  sslResponse,
  WireProtocolError,
  type BackendFrame,
  type RowField,
} from './postgres-wire.ts';

/** node-postgres's own parser: an independent reading of what the encoders write. */
function parsedByNodePostgres(bytes: Buffer): BackendMessage[] {
  const messages: BackendMessage[] = [];
  new Parser().parse(bytes, (message) => messages.push(message));
  return messages;
}

function frameOf(bytes: Buffer): BackendFrame {
  const frames = new BackendFramer().push(bytes);
  expect(frames).toHaveLength(1);
  expect(frames[0]!.raw.equals(bytes)).toBe(true);
  return frames[0]!;
}

function typed(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function expectWireError(action: () => unknown, message: RegExp): void {
  expect(action).toThrow(WireProtocolError);
  expect(action).toThrow(message);
}

const FIELDS: RowField[] = [
  { name: 'id', tableOid: 16384, columnAttr: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
  { name: 'naïve', tableOid: 0, columnAttr: 0, typeOid: 4294967295, typeSize: -1, typeModifier: 68, format: 1 },
];

describe('backend encoders', () => {
  it('write the authentication requests node-postgres understands', () => {
    const salt = Buffer.from([1, 2, 3, 4]);
    const messages = parsedByNodePostgres(
      Buffer.concat([
        authenticationOk(),
        authenticationCleartextPassword(),
        authenticationMd5Password(salt),
        authenticationSasl(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']),
        authenticationSaslContinue(Buffer.from('r=abc,s=xyz,i=4096')),
        authenticationSaslFinal(Buffer.from('v=proof')),
      ]),
    );
    expect(messages).toMatchObject([
      { name: 'authenticationOk' },
      { name: 'authenticationCleartextPassword' },
      { name: 'authenticationMD5Password', salt },
      { name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] },
      { name: 'authenticationSASLContinue', data: 'r=abc,s=xyz,i=4096' },
      { name: 'authenticationSASLFinal', data: 'v=proof' },
    ]);
  });

  it('write session messages node-postgres understands', () => {
    const messages = parsedByNodePostgres(
      Buffer.concat([
        parameterStatus('server_version', '16.4'),
        backendKeyData(777, Buffer.from([0, 0, 1, 2])),
        readyForQuery('T'),
        commandComplete('INSERT 0 5'),
        emptyQueryResponse(),
        rowDescription(FIELDS),
        dataRow([Buffer.from('42'), null, Buffer.alloc(0)]),
      ]),
    );
    expect(messages).toMatchObject([
      { name: 'parameterStatus', parameterName: 'server_version', parameterValue: '16.4' },
      { name: 'backendKeyData', processID: 777, secretKey: 258 },
      { name: 'readyForQuery', status: 'T' },
      { name: 'commandComplete', text: 'INSERT 0 5' },
      { name: 'emptyQuery' },
      {
        name: 'rowDescription',
        fields: [
          { name: 'id', tableID: 16384, columnID: 1, dataTypeID: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' },
          { name: 'naïve', tableID: 0, columnID: 0, dataTypeID: 4294967295, dataTypeSize: -1, dataTypeModifier: 68, format: 'binary' },
        ],
      },
      { name: 'dataRow', fields: ['42', null, ''] },
    ]);
  });

  it('write ErrorResponse and NoticeResponse fields node-postgres reads', () => {
    const [error, notice] = parsedByNodePostgres(
      Buffer.concat([
        errorResponse({ severity: 'FATAL', code: '28P01', message: 'password authentication failed', detail: 'd', hint: 'h' }),
        noticeResponse({ severity: 'WARNING', code: '01000', message: 'careful' }),
      ]),
    );
    expect(error).toMatchObject({ name: 'error', severity: 'FATAL', code: '28P01', message: 'password authentication failed', detail: 'd', hint: 'h' });
    expect(notice).toMatchObject({ name: 'notice', severity: 'WARNING', code: '01000', message: 'careful', detail: undefined });
  });

  it('replace a NUL inside error text instead of cutting the field', () => {
    const parsed = parseErrorFields(frameOf(errorResponse({ severity: 'ERROR', code: '42501', message: 'no\0access' })));
    expect(parsed.message).toBe('no\uFFFDaccess');
  });

  it('write the one-byte SSL answers', () => {
    expect(sslResponse(true)).toEqual(Buffer.from('S'));
    expect(sslResponse(false)).toEqual(Buffer.from('N'));
  });

  it('write NegotiateProtocolVersion', () => {
    const frame = frameOf(negotiateProtocolVersion(0, ['_pq_.foo']));
    expect(frame.type).toBe('v');
    expect(frame.body).toEqual(Buffer.from('\0\0\0\0\0\0\0\x01_pq_.foo\0', 'latin1'));
  });

  it('refuse values the protocol cannot carry', () => {
    expect(() => backendKeyData(1, Buffer.alloc(3))).toThrow(RangeError);
    expect(() => backendKeyData(1, Buffer.alloc(257))).toThrow(RangeError);
    expect(() => authenticationMd5Password(Buffer.alloc(5))).toThrow(RangeError);
    expect(() => parameterStatus('a\0b', 'c')).toThrow(RangeError);
    expect(() => authenticationSasl([''])).toThrow(RangeError);
  });
});

describe('backend parsers', () => {
  it('read every authentication request', () => {
    expect(parseAuthentication(frameOf(authenticationOk()))).toEqual({ kind: 'ok' });
    expect(parseAuthentication(frameOf(authenticationCleartextPassword()))).toEqual({ kind: 'cleartextPassword' });
    expect(parseAuthentication(frameOf(authenticationMd5Password(Buffer.from([9, 8, 7, 6]))))).toEqual({
      kind: 'md5Password',
      salt: Buffer.from([9, 8, 7, 6]),
    });
    expect(parseAuthentication(frameOf(authenticationSasl(['SCRAM-SHA-256'])))).toEqual({ kind: 'sasl', mechanisms: ['SCRAM-SHA-256'] });
    expect(parseAuthentication(frameOf(authenticationSaslContinue(Buffer.from('r=1'))))).toEqual({
      kind: 'saslContinue',
      data: Buffer.from('r=1'),
    });
    expect(parseAuthentication(frameOf(authenticationSaslFinal(Buffer.from('v=2'))))).toEqual({ kind: 'saslFinal', data: Buffer.from('v=2') });
    const gss = typed('R', Buffer.from([0, 0, 0, 7]));
    expect(parseAuthentication(frameOf(gss))).toEqual({ kind: 'other', subtype: 7, data: Buffer.alloc(0) });
  });

  it('read session messages', () => {
    expect(parseParameterStatus(frameOf(parameterStatus('TimeZone', 'UTC')))).toEqual({ name: 'TimeZone', value: 'UTC' });
    const key = Buffer.alloc(32, 5);
    expect(parseBackendKeyData(frameOf(backendKeyData(-3, key)))).toEqual({ pid: -3, secretKey: key });
    for (const status of ['I', 'T', 'E'] as const) expect(parseReadyForQuery(frameOf(readyForQuery(status)))).toBe(status);
  });

  it('read ErrorResponse and NoticeResponse fields', () => {
    const parsed = parseErrorFields(frameOf(errorResponse({ severity: 'ERROR', code: '42P01', message: 'relation "x" does not exist', hint: 'h' })));
    expect(parsed).toMatchObject({ severity: 'ERROR', localizedSeverity: 'ERROR', code: '42P01', message: 'relation "x" does not exist', hint: 'h' });
    expect(parsed.detail).toBeUndefined();
    expect(parsed.fields.get('V')).toBe('ERROR');
    // A localised server (S differs from V) and extra fields such as the position.
    const localised = typed('N', Buffer.from('SREMARQUE\0VNOTICE\0C00000\0Mbonjour\0P12\0\0'));
    expect(parseErrorFields(frameOf(localised))).toMatchObject({ severity: 'NOTICE', localizedSeverity: 'REMARQUE', code: '00000', message: 'bonjour' });
    expect(parseErrorFields(frameOf(localised)).fields.get('P')).toBe('12');
  });

  it('read RowDescription and DataRow, with column values as views of the frame', () => {
    expect(parseRowDescription(frameOf(rowDescription(FIELDS)))).toEqual(FIELDS);
    const frame = frameOf(dataRow([Buffer.from('a'), null, Buffer.from([0, 255])]));
    const values = parseDataRow(frame);
    expect(values).toEqual([Buffer.from('a'), null, Buffer.from([0, 255])]);
    expect(values[0]!.buffer).toBe(frame.raw.buffer);
  });

  it.each([
    ['a frame of another type', () => parseReadyForQuery(frameOf(authenticationOk())), /expected ReadyForQuery message \('Z'\), got message type 'R'/],
    ['an unknown transaction status', () => parseReadyForQuery(frameOf(typed('Z', Buffer.from('X')))), /unknown transaction status 'X'/],
    ['an MD5 request without salt', () => parseAuthentication(frameOf(typed('R', Buffer.from([0, 0, 0, 5, 1])))), /salt runs past/],
    ['a short secret key', () => parseBackendKeyData(frameOf(typed('K', Buffer.from([0, 0, 0, 1, 2])))), /secret key of 1 bytes/],
    ['an error without a code', () => parseErrorFields(frameOf(typed('E', Buffer.from('SERROR\0Mx\0\0')))), /code and message fields are required/],
    ['an unterminated field list', () => parseErrorFields(frameOf(typed('E', Buffer.from('SERROR\0')))), /field type runs past/],
    ['a DataRow whose column overruns', () => parseDataRow(frameOf(typed('D', Buffer.from([0, 1, 0, 0, 0, 9, 1])))), /column 1 runs past/],
    ['a DataRow with length -2', () => parseDataRow(frameOf(typed('D', Buffer.from([0, 1, 255, 255, 255, 254])))), /invalid length -2/],
    ['a RowDescription whose count overruns', () => parseRowDescription(frameOf(typed('T', Buffer.from([0, 2, 0])))), /count 2 exceeds/],
  ])('refuse %s', (_name, action, message) => {
    expectWireError(action, message);
  });
});

describe('CommandComplete row counts', () => {
  it.each([
    ['INSERT 0 5', 'INSERT', 5],
    ['INSERT 16385 1', 'INSERT', 1],
    ['SELECT 3', 'SELECT', 3],
    ['SELECT 0', 'SELECT', 0],
    ['UPDATE 2', 'UPDATE', 2],
    ['DELETE 1', 'DELETE', 1],
    ['COPY 10', 'COPY', 10],
    ['MERGE 4', 'MERGE', 4],
    ['FETCH 7', 'FETCH', 7],
    ['MOVE 8', 'MOVE', 8],
    ['SELECT 9007199254740991', 'SELECT', 9007199254740991],
    ['CREATE TABLE', 'CREATE TABLE', null],
    ['BEGIN', 'BEGIN', null],
    ['INSERT 5', 'INSERT 5', null],
    ['SELECT x', 'SELECT x', null],
    ['SELECT -1', 'SELECT -1', null],
    ['', '', null],
  ])('%j → %s rows %s', (tag, command, rows) => {
    expect(parseCommandTag(tag)).toEqual({ tag, command, rows });
    expect(parseCommandComplete(frameOf(commandComplete(tag)))).toEqual({ tag, command, rows });
  });
});

describe('BackendFramer', () => {
  it('splits a stream into frames with type, raw and body', () => {
    const stream = Buffer.concat([authenticationOk(), parameterStatus('a', 'b'), readyForQuery('I')]);
    const frames = new BackendFramer().push(stream);
    expect(frames.map((f) => f.type)).toEqual(['R', 'S', 'Z']);
    expect(Buffer.concat(frames.map((f) => f.raw)).equals(stream)).toBe(true);
    expect(frames[2]!.body).toEqual(Buffer.from('I'));
    expect(frames[0]!.raw.buffer).toBe(stream.buffer);
  });

  it('refuses bad lengths and stays failed', () => {
    const framer = new BackendFramer({ maxMessageBytes: 100 });
    expectWireError(() => framer.push(Buffer.from([0x44, 0, 0, 0, 101])), /101 bytes long, over the limit of 100/);
    expect(framer.bufferedBytes).toBe(0);
    expectWireError(() => framer.push(readyForQuery('I')), /over the limit/);
    expectWireError(() => new BackendFramer().push(Buffer.from([0x5a, 0xff, 0xff, 0xff, 0xff])), /invalid length -1 for message type 'Z'/);
  });
});
