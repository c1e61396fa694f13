import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkQueue } from './postgres-wire-chunks.ts';
import {
  authenticationOk,
  BackendFramer,
  backendKeyData,
  bind,
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
  gssEncRequest,
  noticeResponse,
  parameterStatus,
  parse,
  parseDataRow,
  passwordMessage,
  query,
  readyForQuery,
  rowDescription,
  sslRequest,
  startupMessage,
  sync,
  terminate,
  type BackendFrame,
  type FrontendMessage,
} from './postgres-wire.ts';

/** Splits `bytes` at the given chunk sizes (cycled), the way a socket might deliver them. */
function chunks(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    out.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

/** Buffers as hex and Maps as entries: deep-comparing many Buffers element by element is slow. */
function normalize(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (value instanceof Map) return [...value.entries()].map(normalize);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, normalize(member)]));
  }
  return value;
}

function feedFrontend(decoder: FrontendDecoder, pieces: readonly Buffer[]): FrontendMessage[] {
  const messages: FrontendMessage[] = [];
  for (const piece of pieces) {
    messages.push(...decoder.push(piece));
    if (decoder.bufferedBytes > decoder.maxBufferedBytes) throw new Error(`holding ${decoder.bufferedBytes} bytes`);
  }
  return messages;
}

function feedBackend(framer: BackendFramer, pieces: readonly Buffer[]): BackendFrame[] {
  const frames: BackendFrame[] = [];
  for (const piece of pieces) frames.push(...framer.push(piece));
  return frames;
}

const FRONTEND_STREAM = Buffer.concat([
  startupMessage({ user: 'contractor@example.com', database: 'shop', application_name: 'psql' }),
  passwordMessage('stint_abcdef'),
  query('SELECT * FROM orders WHERE note = \'größe\''),
  parse('s1', 'UPDATE t SET a = $1 WHERE id = $2', [25, 23]),
  bind({ portal: 'p1', statement: 's1', paramFormats: [0], params: [Buffer.from('x'.repeat(600)), null], resultFormats: [1] }),
  describeMessage('P', 'p1'),
  execute('p1', 50),
  flush(),
  sync(),
  copyData(Buffer.alloc(3000, 0x41)),
  copyDone(),
  copyFail('client gave up'),
  functionCall(1598, Buffer.from([0, 0, 0, 0, 0, 1])),
  close('S', 's1'),
  terminate(),
]);

const BACKEND_STREAM = Buffer.concat([
  authenticationOk(),
  parameterStatus('server_version', '16.4'),
  backendKeyData(99, Buffer.from([1, 2, 3, 4])),
  readyForQuery('I'),
  rowDescription([{ name: 'a', tableOid: 1, columnAttr: 1, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }]),
  dataRow([Buffer.alloc(5000, 0x62)]),
  dataRow([null]),
  noticeResponse({ severity: 'NOTICE', code: '00000', message: 'hi' }),
  commandComplete('SELECT 2'),
  errorResponse({ severity: 'ERROR', code: '42501', message: 'permission denied' }),
  readyForQuery('E'),
]);

describe('chunk boundaries', () => {
  const expectedFrontend = new FrontendDecoder().push(FRONTEND_STREAM);
  const expectedBackend = new BackendFramer().push(BACKEND_STREAM);
  const frontendShape = normalize(expectedFrontend);
  const backendShape = normalize(expectedBackend);

  it('sanity: the reference streams decode completely', () => {
    expect(expectedFrontend).toHaveLength(15);
    expect(Buffer.concat(expectedFrontend.map((m) => m.raw)).equals(FRONTEND_STREAM)).toBe(true);
    expect(expectedBackend).toHaveLength(11);
  });

  it('decodes every frontend message identically one byte at a time', () => {
    const decoder = new FrontendDecoder();
    expect(normalize(feedFrontend(decoder, chunks(FRONTEND_STREAM, [1])))).toEqual(frontendShape);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes every backend message identically one byte at a time', () => {
    expect(normalize(feedBackend(new BackendFramer(), chunks(BACKEND_STREAM, [1])))).toEqual(backendShape);
  });

  it('decodes identically in random chunk sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        expect(normalize(feedFrontend(new FrontendDecoder(), chunks(FRONTEND_STREAM, sizes)))).toEqual(frontendShape);
        expect(normalize(feedBackend(new BackendFramer(), chunks(BACKEND_STREAM, sizes)))).toEqual(backendShape);
      }),
      { numRuns: 300 },
    );
  });

  it('handles SSLRequest and GSSENCRequest as separate reads before the startup packet', () => {
    const decoder = new FrontendDecoder();
    const gss = feedFrontend(decoder, chunks(gssEncRequest(), [3]));
    const ssl = feedFrontend(decoder, chunks(sslRequest(), [1]));
    const rest = feedFrontend(decoder, chunks(FRONTEND_STREAM, [7]));
    expect([...gss, ...ssl].map((m) => m.type)).toEqual(['gssEncRequest', 'sslRequest']);
    expect(normalize(rest)).toEqual(frontendShape);
  });
});

describe('large messages', () => {
  const FIVE_MIB = 5 * 1024 * 1024;
  const CHUNK = 64 * 1024;

  it('decodes a 5 MiB Query in 64 KiB chunks', () => {
    const sql = `SELECT '${'q'.repeat(FIVE_MIB)}'`;
    const bytes = query(sql);
    const decoder = new FrontendDecoder();
    decoder.startupDone();
    const messages = feedFrontend(decoder, chunks(bytes, [CHUNK]));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.type === 'query' && messages[0].sql === sql).toBe(true);
    expect(messages[0]!.raw.equals(bytes)).toBe(true);
  });

  it('frames a 5 MiB DataRow in 64 KiB chunks', () => {
    const value = Buffer.alloc(FIVE_MIB);
    for (let i = 0; i < value.length; i += 4096) value[i] = i % 251;
    const bytes = Buffer.concat([dataRow([value, null]), commandComplete('SELECT 1')]);
    const frames = feedBackend(new BackendFramer(), chunks(bytes, [CHUNK]));
    expect(frames.map((f) => f.type)).toEqual(['D', 'C']);
    const [column, nothing] = parseDataRow(frames[0]!);
    expect(column!.equals(value)).toBe(true);
    expect(nothing).toBeNull();
  });

  it('decodes a 1.5 MiB CopyData delivered one byte at a time', () => {
    const data = Buffer.alloc(1.5 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const decoder = new FrontendDecoder();
    decoder.startupDone();
    const bytes = copyData(data);
    let result: FrontendMessage[] = [];
    for (let i = 0; i < bytes.length; i++) result = result.concat(decoder.push(bytes.subarray(i, i + 1)));
    expect(result).toHaveLength(1);
    expect(result[0]?.type === 'copyData' && result[0].data.equals(data)).toBe(true);
  });
});

describe('ChunkQueue', () => {
  it('returns a zero-copy view when a message lies inside one chunk', () => {
    const queue = new ChunkQueue();
    const chunk = Buffer.from('abcdefgh');
    queue.push(chunk);
    const taken = queue.take(3);
    expect(taken.toString()).toBe('abc');
    expect(taken.buffer).toBe(chunk.buffer);
    expect(queue.length).toBe(5);
  });

  it('behaves like one concatenated buffer under any pushes and takes, and never changes bytes already taken', () => {
    const step = fc.oneof(
      fc.record({ push: fc.uint8Array({ maxLength: 600 }) }),
      fc.record({ take: fc.integer({ min: 1, max: 900 }) }),
      fc.record({ peek: fc.nat(900) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const queue = new ChunkQueue();
        let model = Buffer.alloc(0);
        const taken: [Buffer, Buffer][] = [];
        for (const s of steps) {
          if ('push' in s) {
            queue.push(s.push);
            model = Buffer.concat([model, s.push]);
          } else if ('take' in s) {
            if (s.take > model.length) continue;
            const out = queue.take(s.take);
            taken.push([out, Buffer.from(model.subarray(0, s.take))]);
            model = model.subarray(s.take);
          } else if (s.peek + 4 <= model.length) {
            expect(queue.int32At(s.peek)).toBe(model.readInt32BE(s.peek));
          }
          expect(queue.length).toBe(model.length);
        }
        for (const [out, expected] of taken) expect(out.equals(expected)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
