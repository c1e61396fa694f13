import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authenticationMd5Password,
  authenticationOk,
  authenticationSasl,
  BackendFramer,
  backendKeyData,
  bind,
  cancelRequest,
  close,
  commandComplete,
  copyData,
  copyDone,
  copyFail,
  dataRow,
  describe as describeMessage,
  errorResponse,
  execute,
  flush,
  FrontendDecoder,
  functionCall,
  parameterStatus,
  parse,
  parseAuthentication,
  parseBackendKeyData,
  parseCommandComplete,
  parseDataRow,
  parseErrorFields,
  parseParameterStatus,
  parseReadyForQuery,
  parseRowDescription,
  passwordMessage,
  query,
  readyForQuery,
  rowDescription,
  startupMessage,
  sync,
  terminate,
  WireProtocolError,
  type BackendFrame,
} from './postgres-wire.ts';

// Small limits so generated lengths cross them often.
const MAX_MESSAGE = 2048;
const MAX_STARTUP = 512;
const RUNS = 3000;

const text = fc.string({ maxLength: 40 }).map((s) => s.replaceAll('\0', ''));
const bytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

const frontendMessage: fc.Arbitrary<Buffer> = fc.oneof(
  text.map((sql) => query(sql)),
  fc.tuple(text, text, fc.array(fc.nat(2 ** 32 - 1), { maxLength: 4 })).map(([name, sql, types]) => parse(name, sql, types)),
  fc
    .array(fc.option(bytes), { maxLength: 4 })
    .map((params) => bind({ portal: 'p', statement: 's', paramFormats: [1], params, resultFormats: [0] })),
  fc.tuple(fc.constantFrom<'S' | 'P'>('S', 'P'), text).map(([target, name]) => describeMessage(target, name)),
  fc.tuple(text, int32).map(([portal, rows]) => execute(portal, rows)),
  fc.tuple(fc.constantFrom<'S' | 'P'>('S', 'P'), text).map(([target, name]) => close(target, name)),
  fc.constantFrom(sync(), flush(), terminate(), copyDone()),
  bytes.map((data) => copyData(data)),
  text.map((message) => copyFail(message)),
  text.map((password) => passwordMessage(password)),
  fc.tuple(fc.nat(2 ** 32 - 1), bytes).map(([oid, args]) => functionCall(oid, args)),
);

const backendMessage: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(authenticationOk()),
  fc.constant(authenticationMd5Password(Buffer.from([1, 2, 3, 4]))),
  fc.array(text.filter((s) => s !== ''), { maxLength: 3 }).map((mechanisms) => authenticationSasl(mechanisms)),
  fc.tuple(text, text).map(([name, value]) => parameterStatus(name, value)),
  fc.tuple(int32, fc.uint8Array({ minLength: 4, maxLength: 32 })).map(([pid, key]) => backendKeyData(pid, key)),
  fc.constantFrom(readyForQuery('I'), readyForQuery('T'), readyForQuery('E')),
  text.map((tag) => commandComplete(tag)),
  fc.array(fc.option(bytes), { maxLength: 4 }).map((values) => dataRow(values)),
  text.map((name) => rowDescription([{ name, tableOid: 1, columnAttr: 2, typeOid: 3, typeSize: -1, typeModifier: -1, format: 0 }])),
  fc.tuple(text, text).map(([message, detail]) => errorResponse({ severity: 'ERROR', code: '42501', message, detail })),
);

const startupPrefix: fc.Arbitrary<Buffer> = fc.oneof(
  fc.dictionary(text.filter((s) => s !== ''), text, { maxKeys: 4 }).map((params) => startupMessage(params)),
  fc.uint8Array({ minLength: 4, maxLength: 8 }).map((key) => cancelRequest(1, key)),
);

type Mutation = { flip: number; mask: number } | { truncate: number } | { length: number; value: number };

/** Ways to break a valid stream: flip a byte, cut it short, or write a hostile length somewhere. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ flip: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ truncate: fc.nat() }),
  fc.record({
    length: fc.nat(),
    value: fc.oneof(
      fc.constantFrom(-1, -(2 ** 31), 0, 3, 4, MAX_MESSAGE, MAX_MESSAGE + 1, MAX_STARTUP + 1, 2 ** 31 - 1),
      int32,
    ),
  }),
);

function mutate(stream: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(stream);
  for (const m of mutations) {
    if (out.length === 0) break;
    if ('flip' in m) out[m.flip % out.length]! ^= m.mask;
    else if ('truncate' in m) out = out.subarray(0, m.truncate % out.length);
    else if (out.length >= 4) out.writeInt32BE(m.value, m.length % (out.length - 3));
  }
  return out;
}

function split(stream: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < stream.length; i++) {
    const size = sizes.length === 0 ? stream.length : Math.max(1, sizes[i % sizes.length]!);
    out.push(stream.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 6 });

/** Pushes every chunk; only a WireProtocolError may escape, and the buffer stays within its bound. */
function runFrontend(decoder: FrontendDecoder, chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    try {
      decoder.push(chunk);
    } catch (error) {
      if (!(error instanceof WireProtocolError)) throw error;
      expect(error.sqlstate).toMatch(/^(08P01|0A000|22021)$/);
      expect(decoder.bufferedBytes).toBe(0);
      return;
    }
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(decoder.maxBufferedBytes);
  }
}

const parsers: ((frame: BackendFrame) => unknown)[] = [
  parseAuthentication,
  parseParameterStatus,
  parseBackendKeyData,
  parseReadyForQuery,
  parseCommandComplete,
  parseErrorFields,
  parseRowDescription,
  parseDataRow,
];

function runBackend(framer: BackendFramer, chunks: readonly Buffer[]): void {
  for (const chunk of chunks) {
    let frames: BackendFrame[];
    try {
      frames = framer.push(chunk);
    } catch (error) {
      if (!(error instanceof WireProtocolError)) throw error;
      expect(framer.bufferedBytes).toBe(0);
      return;
    }
    expect(framer.bufferedBytes).toBeLessThanOrEqual(framer.maxBufferedBytes);
    for (const frame of frames) {
      for (const parser of parsers) {
        try {
          parser(frame);
        } catch (error) {
          if (!(error instanceof WireProtocolError)) throw error;
        }
      }
    }
  }
}

function typedDecoder(): FrontendDecoder {
  const decoder = new FrontendDecoder({ maxMessageBytes: MAX_MESSAGE, maxStartupBytes: MAX_STARTUP });
  decoder.startupDone();
  return decoder;
}

describe('wire decoders under hostile input', () => {
  it('FrontendDecoder (startup phase) on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), chunkSizes, (input, sizes) => {
        runFrontend(new FrontendDecoder({ maxMessageBytes: MAX_MESSAGE, maxStartupBytes: MAX_STARTUP }), split(Buffer.from(input), sizes));
      }),
      { numRuns: RUNS },
    );
  });

  it('FrontendDecoder (typed phase) on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), chunkSizes, (input, sizes) => {
        runFrontend(typedDecoder(), split(Buffer.from(input), sizes));
      }),
      { numRuns: RUNS },
    );
  });

  it('FrontendDecoder on mutated valid streams', () => {
    fc.assert(
      fc.property(
        startupPrefix,
        fc.array(frontendMessage, { maxLength: 8 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        chunkSizes,
        (prefix, messages, mutations, sizes) => {
          const stream = mutate(Buffer.concat([prefix, ...messages]), mutations);
          runFrontend(new FrontendDecoder({ maxMessageBytes: MAX_MESSAGE, maxStartupBytes: MAX_STARTUP }), split(stream, sizes));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('BackendFramer and every backend parser on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), chunkSizes, (input, sizes) => {
        runBackend(new BackendFramer({ maxMessageBytes: MAX_MESSAGE }), split(Buffer.from(input), sizes));
      }),
      { numRuns: RUNS },
    );
  });

  it('BackendFramer and every backend parser on mutated valid streams', () => {
    fc.assert(
      fc.property(
        fc.array(backendMessage, { maxLength: 8 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        chunkSizes,
        (messages, mutations, sizes) => {
          const stream = mutate(Buffer.concat(messages), mutations);
          runBackend(new BackendFramer({ maxMessageBytes: MAX_MESSAGE }), split(stream, sizes));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('valid streams decode to the same messages whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(frontendMessage, { minLength: 1, maxLength: 8 }), chunkSizes, (messages, sizes) => {
        const stream = Buffer.concat(messages);
        const whole = typedDecoder().push(stream);
        const decoder = typedDecoder();
        const pieces = split(stream, sizes).flatMap((chunk) => decoder.push(chunk));
        expect(pieces.map((m) => m.raw.toString('hex'))).toEqual(messages.map((m) => m.toString('hex')));
        expect(pieces.map((m) => m.type)).toEqual(whole.map((m) => m.type));
      }),
      { numRuns: 1000 },
    );
  });
});
