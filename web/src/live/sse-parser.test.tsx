// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { createHttp } from '../api/http-client.ts';
import type { LiveEvent } from '../api/api-types.ts';
import { readEventStream } from './event-stream.ts';
import { SseParser } from './sse-parser.ts';

describe('SseParser', () => {
  it('joins events split across chunks and skips comments', () => {
    const parser = new SseParser();
    expect(parser.push(': keepalive\n\ndata: {"type":"session.sta')).toEqual([]);
    expect(parser.push('rted"}\n')).toEqual([]);
    expect(parser.push('\r\nevent: x\ndata: a\ndata: b\n\n')).toEqual([
      { event: 'message', data: '{"type":"session.started"}' },
      { event: 'x', data: 'a\nb' },
    ]);
  });
});

describe('readEventStream', () => {
  it('reads events from a fetch stream with the bearer token', async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(': keepalive\n\ndata: {"type":"request.created","at":"2026-03-01T10:00:00Z","id":"req_1"}\n\n'));
        controller.enqueue(encoder.encode('data: not json\n\ndata: {"type":"session.ended","at":"2026-03-01T10:00:01Z"}\n\n'));
        controller.close();
      },
    });
    let authorization = '';
    const http = createHttp({
      token: 'tok',
      fetch: (_input, init) => {
        authorization = (init?.headers as Record<string, string>).authorization ?? '';
        return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
      },
    });
    const events: LiveEvent[] = [];
    let opened = false;
    await readEventStream(http, new AbortController().signal, () => (opened = true), (e) => events.push(e));
    expect(opened).toBe(true);
    expect(authorization).toBe('Bearer tok');
    expect(events.map((e) => e.type)).toEqual(['request.created', 'session.ended']);
  });
});
