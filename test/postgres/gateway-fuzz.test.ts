import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelUpstream, connectUpstream } from '../../src/proxies/postgres/postgres-upstream.ts';
import {
  BackendFramer,
  cancelRequest,
  parseBackendKeyData,
  parseErrorFields,
  passwordMessage,
  query,
  sslRequest,
  startupMessage,
  } from '../../src/proxies/postgres/postgres-wire.ts';
import { CONTRACTORS, rawExchange, startGatewayHarness, types, WireClient, type GatewayHarness } from '../support/gateway-harness.ts';

/**
 * Hostile bytes at the front door: random and mutated startup sequences,
 * lying lengths. The gateway must answer each with an error or silence and
 * close, stay up, hold no more than a bounded amount per connection, and
 * never open an upstream connection for anyone it has not authenticated.
 */

let harness: GatewayHarness;
let upstreamConnects = 0;
let upstreamCancels = 0;

beforeAll(async () => {
  harness = await startGatewayHarness({
    startupTimeoutMs: 250,
    upstream: {
      connect: (target, params) => {
        upstreamConnects += 1;
        return connectUpstream(target, params);
      },
      cancel: (target, key) => {
        upstreamCancels += 1;
        return cancelUpstream(target, key);
      },
    },
  });
});

afterAll(async () => {
  await harness.close();
});

/**
 * What the gateway may send before closing: up to two one-byte 'N' answers
 * (to SSLRequest and GSSENCRequest), then whole messages, the last a FATAL
 * error; or nothing at all (a CancelRequest is never answered).
 */
function checkAnswer(received: Buffer): void {
  let offset = 0;
  while (offset < 2 && received[offset] === 0x4e) offset += 1;
  const framer = new BackendFramer();
  const frames = framer.push(received.subarray(offset));
  expect(framer.bufferedBytes).toBe(0);
  const last = frames.at(-1);
  if (last === undefined) return;
  expect(last.type).toBe('E');
  expect(parseErrorFields(last).severity).toBe('FATAL');
}

const validStart = (): Buffer[] => [startupMessage({ user: CONTRACTORS.reader, database: 'gw' }), passwordMessage('stint_guess')];

const mutation = fc.oneof(
  // Random bytes.
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  // A valid start with bytes flipped.
  fc.tuple(fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 })).map(([ssl, flips]) => {
    const bytes = Buffer.concat([...(ssl ? [sslRequest()] : []), ...validStart()]);
    for (const [at, value] of flips) bytes[at % bytes.length] = value;
    return bytes;
  }),
  // A valid start cut short.
  fc.nat().map((cut) => {
    const bytes = Buffer.concat(validStart());
    return bytes.subarray(0, cut % bytes.length);
  }),
  // A startup packet or typed message with a lying length.
  fc.tuple(fc.integer({ min: -5, max: 0x7fffffff }), fc.boolean()).map(([length, typed]) => {
    const header = Buffer.alloc(typed ? 5 : 8);
    if (typed) {
      const start = startupMessage({ user: CONTRACTORS.reader, database: 'gw' });
      header.write('p', 0);
      header.writeInt32BE(length, 1);
      return Buffer.concat([start, header]);
    }
    header.writeInt32BE(length, 0);
    header.writeInt32BE(196608, 4);
    return header;
  }),
  // Cancel requests with random keys.
  fc.tuple(fc.integer({ min: 1, max: 0x7fffffff }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([pid, key]) => cancelRequest(pid, key)),
);

describe('startup under hostile input', () => {
  it('answers and closes every connection, and never reaches the upstream before authentication', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 25, maxLength: 25 }), async (cases) => {
        const results = await Promise.all(cases.map((bytes) => rawExchange(harness.port, bytes, 4000)));
        for (const { received, closed } of results) {
          expect(closed).toBe(true);
          checkAnswer(received);
        }
      }),
      { numRuns: 4 },
    );
    expect(upstreamConnects).toBe(0);
    expect(upstreamCancels).toBe(0);
    // Still serving.
    const { token } = await harness.token(CONTRACTORS.reader);
    const { client, greeting } = await WireClient.connect(harness.port, { user: CONTRACTORS.reader, database: 'gw' }, token);
    expect(greeting.at(-1)?.type).toBe('Z');
    client.close();
  }, 30_000);

  it('refuses oversized lengths as soon as the header arrives, before buffering a body', async () => {
    const huge = Buffer.alloc(8);
    huge.writeInt32BE(0x7fffffff, 0);
    huge.writeInt32BE(196608, 4);
    const startup = await rawExchange(harness.port, huge, 2000);
    expect(startup.closed).toBe(true);
    expect(parseErrorFields(new BackendFramer().push(startup.received)[0]!)).toMatchObject({ code: '08P01', severity: 'FATAL' });

    // Before authentication a typed message may not exceed a few KiB, whatever it claims.
    const header = Buffer.alloc(5);
    header.write('p', 0);
    header.writeInt32BE(64 * 1024 * 1024, 1);
    const typed = await rawExchange(harness.port, Buffer.concat([startupMessage({ user: CONTRACTORS.reader, database: 'gw' }), header]), 2000);
    expect(typed.closed).toBe(true);
    // The oversized header arrived with the startup packet, so the whole read is refused at once.
    const frames = new BackendFramer().push(typed.received);
    expect(types(frames)).toMatch(/^R?E$/);
    expect(parseErrorFields(frames.at(-1)!)).toMatchObject({ code: '08P01', severity: 'FATAL' });
  });

  it('times out a client that never authenticates and records the refusal', async () => {
    const started = Date.now();
    const { received, closed } = await rawExchange(harness.port, startupMessage({ user: CONTRACTORS.reader, database: 'gw' }), 3000);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    const frames = new BackendFramer().push(received);
    expect(types(frames)).toBe('RE');
    expect(parseErrorFields(frames[1]!)).toMatchObject({ code: '57014', message: 'canceling authentication due to timeout' });
    expect((await harness.events('SESSION_REFUSED')).at(-1)?.data).toMatchObject({ reason: 'STARTUP_TIMEOUT' });
  });

  it('forwards a CancelRequest only with the exact key it handed out', async () => {
    const { token } = await harness.token(CONTRACTORS.reader);
    const { client, greeting } = await WireClient.connect(harness.port, { user: CONTRACTORS.reader, database: 'gw' }, token);
    const key = parseBackendKeyData(greeting.find((frame) => frame.type === 'K')!);
    expect(key.secretKey).toHaveLength(4);
    client.send(query('SELECT pg_sleep(30)'));
    await expect
      .poll(async () => harness.scalar("SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'"))
      .toBe(1);
    const wrong = Buffer.from(key.secretKey);
    wrong[0] = wrong[0]! ^ 0xff;
    await rawExchange(harness.port, cancelRequest(key.pid, wrong), 1000);
    await rawExchange(harness.port, cancelRequest(key.pid ^ 1, key.secretKey), 1000);
    expect(upstreamCancels).toBe(0);
    const cancelled = await rawExchange(harness.port, cancelRequest(key.pid, key.secretKey), 1000);
    expect(cancelled.received).toHaveLength(0);
    const frames = await client.readReady(1, 3000);
    expect(parseErrorFields(frames.find((frame) => frame.type === 'E')!).code).toBe('57014');
    expect(upstreamCancels).toBe(1);
    client.close();
  });
});
