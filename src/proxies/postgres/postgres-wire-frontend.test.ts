import { serialize } from 'pg-protocol';
import { describe as suite, expect, it } from 'vitest';
import {
  bind,
  cancelRequest,
  close,
  copyData,
  copyDone,
  copyFail,
  describe,
  execute,
  flush,
  FrontendDecoder,
  functionCall,
  gssEncRequest,
  parse,
  passwordMessage,
  query,
  saslInitialResponse,
  saslResponse,
  sslRequest,
  startupMessage,
  sync,
  terminate,
  WireProtocolError,
  type FrontendMessage,
} from './postgres-wire.ts';

/** A decoder already past the startup phase. */
function typedDecoder(options?: { maxMessageBytes?: number }): FrontendDecoder {
  const decoder = new FrontendDecoder(options);
  decoder.startupDone();
  return decoder;
}

function decodeOne(bytes: Buffer): FrontendMessage {
  const messages = typedDecoder().push(bytes);
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

function expectWireError(action: () => unknown, sqlstate: string, message: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WireProtocolError);
  expect((caught as WireProtocolError).sqlstate).toBe(sqlstate);
  expect((caught as WireProtocolError).message).toMatch(message);
}

/** Typed message built by hand: type, Int32 length, body. */
function typed(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function untyped(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeInt32BE(body.length + 4);
  return Buffer.concat([header, body]);
}

function int32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(value);
  return out;
}

suite('FrontendDecoder: startup phase', () => {
  it('decodes a hand-built StartupMessage and switches to typed messages', () => {
    const decoder = new FrontendDecoder();
    const packet = untyped(Buffer.concat([int32(196608), Buffer.from('user\0alice\0database\0shop\0\0')]));
    const [startup] = decoder.push(packet);
    expect(startup).toMatchObject({ type: 'startup', protocol: { major: 3, minor: 0 } });
    expect(startup?.type === 'startup' && [...startup.params]).toEqual([
      ['user', 'alice'],
      ['database', 'shop'],
    ]);
    expect(startup?.raw.equals(packet)).toBe(true);
    expect(decoder.phase).toBe('messages');
    expect(decoder.push(query('SELECT 1'))).toMatchObject([{ type: 'query', sql: 'SELECT 1' }]);
  });

  it('matches the StartupMessage node-postgres sends', () => {
    const bytes = serialize.startup({ user: 'bob', database: 'db', application_name: 'psql' });
    const [startup] = new FrontendDecoder().push(bytes);
    expect(startup?.type === 'startup' && Object.fromEntries(startup.params)).toEqual({
      user: 'bob',
      database: 'db',
      application_name: 'psql',
      client_encoding: 'UTF8',
    });
    expect(startupMessage({ user: 'bob', database: 'db', application_name: 'psql', client_encoding: 'UTF8' })).toEqual(bytes);
  });

  it('round-trips startupMessage with a Map and a 3.2 minor version', () => {
    const params = new Map([
      ['user', 'é'],
      ['_pq_.opt', 'x'],
    ]);
    const [startup] = new FrontendDecoder().push(startupMessage(params, 2));
    expect(startup).toMatchObject({ type: 'startup', protocol: { major: 3, minor: 2 }, params });
  });

  it('stays in the startup phase after SSLRequest and GSSENCRequest', () => {
    const decoder = new FrontendDecoder();
    expect(decoder.push(gssEncRequest())).toMatchObject([{ type: 'gssEncRequest' }]);
    expect(decoder.push(sslRequest())).toMatchObject([{ type: 'sslRequest' }]);
    expect(decoder.phase).toBe('startup');
    expect(sslRequest()).toEqual(serialize.requestSsl());
    expect(decoder.push(startupMessage({ user: 'u' }))).toMatchObject([{ type: 'startup' }]);
  });

  it('refuses bytes that arrive with the SSLRequest, before the answer', () => {
    const decoder = new FrontendDecoder();
    expectWireError(() => decoder.push(Buffer.concat([sslRequest(), startupMessage({ user: 'u' })])), '08P01', /unencrypted data after SSL/);
    // The decoder stays failed and holds nothing.
    expect(decoder.bufferedBytes).toBe(0);
    expectWireError(() => decoder.push(sync()), '08P01', /unencrypted/);
  });

  it('refuses a second SSLRequest', () => {
    const decoder = new FrontendDecoder();
    decoder.push(sslRequest());
    expectWireError(() => decoder.push(sslRequest()), '08P01', /duplicate SSL request/);
  });

  it('decodes CancelRequest with 4-byte and longer (3.2) keys and then ends', () => {
    const key = Buffer.from([1, 2, 3, 4]);
    const bytes = cancelRequest(4242, key);
    expect(bytes).toEqual(serialize.cancel(4242, 0x01020304));
    const decoder = new FrontendDecoder();
    const [cancel] = decoder.push(bytes);
    expect(cancel).toMatchObject({ type: 'cancelRequest', pid: 4242, secretKey: key });
    expect(decoder.phase).toBe('ended');
    expectWireError(() => decoder.push(Buffer.from([0])), '08P01', /after CancelRequest/);

    const longKey = Buffer.alloc(256, 7);
    expect(new FrontendDecoder().push(cancelRequest(1, longKey))).toMatchObject([{ secretKey: longKey }]);
  });

  it.each([
    ['too short a key', untyped(Buffer.concat([int32(80877102), int32(1), Buffer.from([1, 2, 3])]))],
    ['too long a key', untyped(Buffer.concat([int32(80877102), int32(1), Buffer.alloc(257)]))],
  ])('refuses a CancelRequest with %s', (_name, bytes) => {
    expectWireError(() => new FrontendDecoder().push(bytes), '08P01', /secret key of \d+ bytes/);
  });

  it.each([
    ['odd number of strings', 'user\0alice\0database\0', /missing terminator|no value/],
    ['a missing terminator', 'user\0alice\0', /missing terminator/],
    ['a string without NUL', 'user\0alice', /not NUL-terminated/],
    ['a duplicate parameter', 'user\0a\0user\0b\0\0', /appears twice/],
    ['bytes after the terminator', 'user\0a\0\0x', /trailing/],
  ])('refuses a StartupMessage with %s', (_name, body, message) => {
    const packet = untyped(Buffer.concat([int32(196608), Buffer.from(body, 'latin1')]));
    expectWireError(() => new FrontendDecoder().push(packet), '08P01', message);
  });

  it('refuses a StartupMessage that is not UTF-8', () => {
    const packet = untyped(Buffer.concat([int32(196608), Buffer.from('user\0'), Buffer.from([0xc3, 0x28, 0]), Buffer.from([0])]));
    expectWireError(() => new FrontendDecoder().push(packet), '22021', /UTF8/);
  });

  it.each([
    [2 << 16, '2.0'],
    [(4 << 16) | 1, '4.1'],
    [80877105, '1234.5681'],
  ])('refuses protocol version code %i as feature_not_supported', (code, version) => {
    const packet = untyped(Buffer.concat([int32(code), Buffer.from('user\0u\0\0')]));
    expectWireError(() => new FrontendDecoder().push(packet), '0A000', new RegExp(`unsupported frontend protocol ${version.replace('.', '\\.')}`));
  });

  it.each([
    ['below the minimum', 7],
    ['negative', -1],
    ['above maxStartupBytes', 10_001],
  ])('refuses a startup length %s before buffering the body', (_name, length) => {
    const decoder = new FrontendDecoder();
    expectWireError(() => decoder.push(int32(length)), '08P01', /invalid length -?\d+ of startup packet/);
  });

  it('refuses an SSLRequest of the wrong length', () => {
    const packet = untyped(Buffer.concat([int32(80877103), Buffer.from([0])]));
    expectWireError(() => new FrontendDecoder().push(packet), '08P01', /sslRequest packet/);
  });

  it('honours a custom maxStartupBytes', () => {
    const big = startupMessage({ user: 'u', options: 'x'.repeat(200) });
    expectWireError(() => new FrontendDecoder({ maxStartupBytes: 100 }).push(big), '08P01', /expected 8 to 100 bytes/);
    expect(new FrontendDecoder({ maxStartupBytes: 300 }).push(big)).toHaveLength(1);
  });
});

suite('FrontendDecoder: typed messages', () => {
  it('decodes a hand-built Query and keeps the exact bytes as raw', () => {
    const bytes = Buffer.from('Q\0\0\0\x0dSELECT 1\0', 'latin1');
    const message = decodeOne(bytes);
    expect(message).toMatchObject({ type: 'query', sql: 'SELECT 1' });
    expect(message.raw.equals(bytes)).toBe(true);
    // Zero copy: the message is a view of the pushed chunk.
    expect(message.raw.buffer).toBe(bytes.buffer);
  });

  it.each([
    ['query', query('SELECT * FROM t WHERE name = \'ü\''), serialize.query("SELECT * FROM t WHERE name = 'ü'")],
    ['parse', parse('s1', 'SELECT $1::int', [23]), serialize.parse({ name: 's1', text: 'SELECT $1::int', types: [23] })],
    ['describe S', describe('S', 's1'), serialize.describe({ type: 'S', name: 's1' })],
    ['describe P', describe('P'), serialize.describe({ type: 'P' })],
    ['execute', execute('p1', 10), serialize.execute({ portal: 'p1', rows: 10 })],
    ['close', close('S', 's1'), serialize.close({ type: 'S', name: 's1' })],
    ['sync', sync(), serialize.sync()],
    ['flush', flush(), serialize.flush()],
    ['terminate', terminate(), serialize.end()],
    ['copyData', copyData(Buffer.from('1\t2\n')), serialize.copyData(Buffer.from('1\t2\n'))],
    ['copyDone', copyDone(), serialize.copyDone()],
    ['copyFail', copyFail('aborted'), serialize.copyFail('aborted')],
    ['password', passwordMessage('s3cret'), serialize.password('s3cret')],
  ])('encodes %s byte for byte like node-postgres', (_name, ours, theirs) => {
    expect(ours).toEqual(theirs);
  });

  it('decodes the extended-protocol pipeline node-postgres sends', () => {
    const bytes = Buffer.concat([
      serialize.parse({ name: '', text: 'SELECT $1, $2', types: [25, 0] }),
      serialize.bind({ portal: 'p', statement: '', values: ['hi', null, Buffer.from([0xff])], binary: true }),
      serialize.describe({ type: 'P', name: 'p' }),
      serialize.execute({ portal: 'p', rows: 0 }),
      serialize.sync(),
    ]);
    const messages = typedDecoder().push(bytes);
    expect(messages.map((m) => m.type)).toEqual(['parse', 'bind', 'describe', 'execute', 'sync']);
    expect(messages[0]).toMatchObject({ name: '', sql: 'SELECT $1, $2', paramTypes: [25, 0] });
    expect(messages[1]).toMatchObject({
      portal: 'p',
      statement: '',
      paramFormats: [0, 0, 1],
      params: [Buffer.from('hi'), null, Buffer.from([0xff])],
      resultFormats: [1],
    });
    expect(messages[2]).toMatchObject({ target: 'P', name: 'p' });
    expect(messages[3]).toMatchObject({ portal: 'p', maxRows: 0 });
    expect(Buffer.concat(messages.map((m) => m.raw)).equals(bytes)).toBe(true);
  });

  it('round-trips every message type through its encoder', () => {
    const cases: [Buffer, Record<string, unknown>][] = [
      [query('SELECT 1'), { type: 'query', sql: 'SELECT 1' }],
      [parse('n', 'SELECT $1', [4294967295]), { type: 'parse', name: 'n', sql: 'SELECT $1', paramTypes: [4294967295] }],
      [
        bind({ portal: 'p', statement: 's', paramFormats: [1], params: [Buffer.from([0, 1]), null], resultFormats: [0, 1] }),
        { type: 'bind', portal: 'p', statement: 's', paramFormats: [1], params: [Buffer.from([0, 1]), null], resultFormats: [0, 1] },
      ],
      [bind({}), { type: 'bind', portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] }],
      [describe('S', 'x'), { type: 'describe', target: 'S', name: 'x' }],
      [execute('', -1), { type: 'execute', portal: '', maxRows: -1 }],
      [close('P', 'c'), { type: 'close', target: 'P', name: 'c' }],
      [sync(), { type: 'sync' }],
      [flush(), { type: 'flush' }],
      [terminate(), { type: 'terminate' }],
      [copyData(Buffer.from([0, 1, 2])), { type: 'copyData', data: Buffer.from([0, 1, 2]) }],
      [copyDone(), { type: 'copyDone' }],
      [copyFail('stop'), { type: 'copyFail', message: 'stop' }],
      [passwordMessage('stint_tok'), { type: 'password', password: 'stint_tok' }],
      [functionCall(1598, Buffer.from([0, 0, 0, 0, 0, 0])), { type: 'functionCall', functionOid: 1598, args: Buffer.from([0, 0, 0, 0, 0, 0]) }],
    ];
    for (const [bytes, expected] of cases) {
      const message = decodeOne(bytes);
      expect(message).toMatchObject(expected);
      expect(message.raw.equals(bytes)).toBe(true);
    }
  });

  it('returns unknown types with their body for the proxy to refuse', () => {
    const bytes = typed('z', Buffer.from([9, 8]));
    expect(decodeOne(bytes)).toMatchObject({ type: 'unknown', code: 'z', body: Buffer.from([9, 8]) });
  });

  it('fails to read SASL responses as passwords instead of misreading them', () => {
    expectWireError(() => decodeOne(saslResponse(Buffer.from('c=biws,r=abc'))), '08P01', /password message: password is not NUL-terminated/);
    // SASLInitialResponse has a NUL after the mechanism, then binary data.
    expectWireError(() => decodeOne(saslInitialResponse('SCRAM-SHA-256', Buffer.from('n,,n=,r=x'))), '08P01', /trailing/);
  });

  it.each([
    ['a Query with trailing bytes', typed('Q', Buffer.from('SELECT 1\0DROP TABLE t\0')), /trailing/],
    ['a Query without NUL', typed('Q', Buffer.from('SELECT 1')), /not NUL-terminated/],
    ['a Sync with a body', typed('S', Buffer.from([0])), /trailing/],
    ['a Describe with a bad target', typed('D', Buffer.from('Xname\0')), /target must be 'S' or 'P'/],
    ['a Parse whose type count overruns', typed('P', Buffer.from('\0SELECT 1\0\0\x05\0\0\0\x17', 'latin1')), /count 5 exceeds/],
    ['a Bind with a negative value length', typed('B', Buffer.from('\0\0\0\0\0\x01\xff\xff\xff\xfe\0\0', 'latin1')), /invalid length -2/],
    ['a Bind whose value overruns', typed('B', Buffer.from('\0\0\0\0\0\x01\0\0\0\x10ab\0\0', 'latin1')), /runs past the end/],
    ['a Bind with mismatched format count', bind({ paramFormats: [0, 1], params: [null, null, null] }), /2 parameter formats for 3 parameters/],
    ['a Bind with format code 2', bind({ paramFormats: [2], params: [null] }), /unsupported format code 2/],
    ['an Execute without a row limit', typed('E', Buffer.from('\0')), /row limit runs past/],
  ])('refuses %s', (_name, bytes, message) => {
    expectWireError(() => decodeOne(bytes), '08P01', message);
  });

  it('refuses invalid UTF-8 in a Query as character_not_in_repertoire', () => {
    expectWireError(() => decodeOne(typed('Q', Buffer.from([0x53, 0xff, 0]))), '22021', /UTF8/);
  });

  it.each([
    ['3', 3],
    ['0', 0],
    ['negative', -5],
  ])('refuses a typed length of %s', (_name, length) => {
    const header = Buffer.from([0x51, 0, 0, 0, 0]);
    header.writeInt32BE(length, 1);
    expectWireError(() => typedDecoder().push(header), '08P01', new RegExp(`invalid length ${length} for message type 'Q'`));
  });

  it('refuses a message over maxMessageBytes from its header alone', () => {
    const decoder = typedDecoder({ maxMessageBytes: 1000 });
    const header = Buffer.from([0x51, 0, 0, 0, 0]);
    header.writeInt32BE(1001, 1);
    expectWireError(() => decoder.push(header), '08P01', /1001 bytes long, over the limit of 1000/);
    expect(typedDecoder({ maxMessageBytes: 1000 }).push(query('x'.repeat(994)))).toHaveLength(1);
  });

  it('applies a limit changed with setMaxMessageBytes from the next message', () => {
    const decoder = typedDecoder();
    decoder.setMaxMessageBytes(64);
    expectWireError(() => decoder.push(query('x'.repeat(100))), '08P01', /over the limit of 64/);
    expect(() => decoder.setMaxMessageBytes(3)).toThrow(RangeError);
    expect(() => new FrontendDecoder({ maxMessageBytes: 2 ** 31 })).toThrow(RangeError);
  });

  it('holds an incomplete message until the rest arrives', () => {
    const decoder = typedDecoder();
    const bytes = Buffer.concat([query('SELECT 1'), sync()]);
    expect(decoder.push(bytes.subarray(0, 7))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(7);
    expect(decoder.push(bytes.subarray(7)).map((m) => m.type)).toEqual(['query', 'sync']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('startupDone switches a fresh decoder to typed messages', () => {
    // Without the switch a Sync reads as a startup packet of 0x53000000 bytes.
    expectWireError(() => new FrontendDecoder().push(sync()), '08P01', /invalid length 1392508928 of startup packet/);
    const decoder = new FrontendDecoder();
    expect(decoder.startupDone()).toEqual([]);
    expect(decoder.phase).toBe('messages');
    expect(decoder.push(sync())).toMatchObject([{ type: 'sync' }]);
    // Idempotent once typed.
    expect(decoder.startupDone()).toEqual([]);
    expect(decoder.phase).toBe('messages');
  });
});
