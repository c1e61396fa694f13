import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleFeed, type ConsoleEvent } from '../events/console-feed.ts';
import { EventStream, endStreams, trackStream, type EventStreamOptions, type StreamEnd } from './event-stream.ts';

const FAST: EventStreamOptions = { keepaliveMs: 40, recheckMs: 40, maxBacklog: 8 };

interface Rig {
  readonly feed: ConsoleFeed;
  readonly stream: Promise<EventStream>;
  readonly url: string;
  readonly server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function rig(viewer: { email: string; staff: boolean; expiresAt: number | null }, valid: () => Promise<boolean> = () => Promise.resolve(true), options = FAST): Promise<Rig> {
  const feed = new ConsoleFeed();
  let resolveStream: (stream: EventStream) => void = () => undefined;
  const stream = new Promise<EventStream>((resolve) => (resolveStream = resolve));
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    const s = new EventStream(res, viewer, { feed, now: () => Date.now(), stillValid: valid, onError: () => undefined }, options);
    s.start({ 'x-content-type-options': 'nosniff' });
    resolveStream(s);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { feed, stream, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Reads the stream as text until `until` matches or the stream ends. */
async function read(url: string, until: (text: string) => boolean, signal?: AbortSignal): Promise<{ text: string; headers: Headers; ended: boolean }> {
  const res = await fetch(url, signal === undefined ? {} : { signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text, headers: res.headers, ended: true };
    text += decoder.decode(value, { stream: true });
    if (until(text)) {
      await reader.cancel();
      return { text, headers: res.headers, ended: false };
    }
  }
}

const event = (email: string, type: ConsoleEvent['type'] = 'session.started'): ConsoleEvent => ({ type, at: '2026-12-01T00:00:00.000Z', id: 'ses_1', email, resource: 'demo' });

describe('EventStream', () => {
  it('sends the events a contractor may see, as data lines, and keepalive comments', async () => {
    const r = await rig({ email: 'alice@vendor.example', staff: false, expiresAt: null });
    const reading = read(r.url, (text) => text.includes('carol-done') || (text.includes('"email":"alice@vendor.example"') && text.includes(': keepalive')));
    const stream = await r.stream;
    r.feed.publish(event('carol@vendor.example'));
    r.feed.publish(event('alice@vendor.example'));
    const { text, headers } = await reading;
    expect(headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(text).toContain(`data: ${JSON.stringify(event('alice@vendor.example'))}\n\n`);
    expect(text).not.toContain('carol@vendor.example');
    expect(text).toContain(': keepalive\n\n');
    expect(await stream.done).toBe<StreamEnd>('client_closed');
  });

  it('gives staff every event', async () => {
    const r = await rig({ email: 'auditor@corp.example', staff: true, expiresAt: null });
    const reading = read(r.url, (text) => text.includes('carol@') && text.includes('alice@'));
    await r.stream;
    r.feed.publish(event('carol@vendor.example', 'request.created'));
    r.feed.publish(event('alice@vendor.example', 'grant.created'));
    const { text } = await reading;
    expect(text).toContain('"type":"request.created"');
    expect(text).toContain('"type":"grant.created"');
  });

  it('ends when the token expires', async () => {
    const r = await rig({ email: 'alice@vendor.example', staff: false, expiresAt: Date.now() + 150 });
    const { text, ended } = await read(r.url, () => false);
    expect(ended).toBe(true);
    expect(text).toContain(': closed token_expired');
    expect(await (await r.stream).done).toBe('token_expired');
  });

  it('ends when the token is revoked, and when validity cannot be checked (fail closed)', async () => {
    let valid = true;
    const r = await rig({ email: 'alice@vendor.example', staff: false, expiresAt: null }, () => Promise.resolve(valid));
    const reading = read(r.url, () => false);
    const stream = await r.stream;
    valid = false;
    const { text, ended } = await reading;
    expect(ended).toBe(true);
    expect(text).toContain(': closed token_revoked');
    expect(await stream.done).toBe('token_revoked');

    const broken = await rig({ email: 'alice@vendor.example', staff: false, expiresAt: null }, () => Promise.reject(new Error('store down')));
    const brokenRead = await read(broken.url, () => false);
    expect(brokenRead.ended).toBe(true);
    expect(await (await broken.stream).done).toBe('token_revoked');
  });

  it('drops a reader that stops reading instead of holding an unbounded backlog', async () => {
    const r = await rig({ email: 'auditor@corp.example', staff: true, expiresAt: null }, () => Promise.resolve(true), { keepaliveMs: 60_000, recheckMs: 60_000, maxBacklog: 8 });
    // A raw request whose body is never read: the socket's buffers fill, then the stream's backlog.
    const req = httpRequest(r.url);
    req.on('response', (res) => res.pause());
    req.on('error', () => undefined);
    req.end();
    const stream = await r.stream;
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 2000 && stream.backlog < 8; i += 1) r.feed.publish({ ...event('alice@vendor.example'), resource: big });
    r.feed.publish(event('alice@vendor.example'));
    expect(await stream.done).toBe('backlog_full');
    expect(stream.backlog).toBeLessThanOrEqual(8);
    req.destroy();
  });

  it('ends every tracked stream when its server closes', async () => {
    const r = await rig({ email: 'auditor@corp.example', staff: true, expiresAt: null }, () => Promise.resolve(true), { keepaliveMs: 60_000, recheckMs: 60_000, maxBacklog: 8 });
    const reading = read(r.url, () => false);
    const stream = await r.stream;
    const owner = {};
    trackStream(owner, stream);
    endStreams(owner);
    expect(await stream.done).toBe('server_closing');
    expect((await reading).text).toContain(': closed server_closing');
  });
});
