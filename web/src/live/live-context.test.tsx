// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttp } from '../api/http-client.ts';
import { createFetchMock, fail } from '../testing/fetch-mock.ts';
import { LiveProvider, POLL_INTERVAL_MS, useLiveMode, useLiveRefresh } from './live-context.tsx';

function Probe({ types, onRefresh }: { types: string[]; onRefresh: () => void }) {
  useLiveRefresh(types, onRefresh);
  return <p>mode: {useLiveMode()}</p>;
}

describe('LiveProvider', () => {
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('falls back to polling every 5 s when the event stream cannot be opened', async () => {
    vi.useFakeTimers();
    const mock = createFetchMock({ 'GET /v1/events': () => fail(404, 'STINT_ERR_NOT_FOUND', 'No route.') });
    const refresh = vi.fn();
    render(
      <LiveProvider http={createHttp({ token: 't', fetch: mock.fetch })}>
        <Probe types={['session.started']} onRefresh={refresh} />
      </LiveProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(10));
    expect(screen.getByText('mode: polling')).toBeTruthy();
    expect(refresh).not.toHaveBeenCalled();
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS));
    expect(refresh).toHaveBeenCalledTimes(1);
    await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS));
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('refreshes subscribers on matching streamed events only', async () => {
    let push: (text: string) => void = () => undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const encoder = new TextEncoder();
        push = (text) => controller.enqueue(encoder.encode(text));
      },
    });
    const mock = createFetchMock();
    const streamFetch: typeof fetch = (input, init) =>
      input === '/v1/events' ? Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } })) : mock.fetch(input, init);
    const sessions = vi.fn();
    const requests = vi.fn();
    render(
      <LiveProvider http={createHttp({ token: 't', fetch: streamFetch })}>
        <Probe types={['session.started', 'session.ended']} onRefresh={sessions} />
        <Probe types={['request.created']} onRefresh={requests} />
      </LiveProvider>,
    );
    expect(await screen.findAllByText('mode: streaming')).toHaveLength(2);
    // Opening the stream refreshes everyone once, for anything missed before it opened.
    await vi.waitFor(() => expect(sessions).toHaveBeenCalledTimes(1));
    expect(requests).toHaveBeenCalledTimes(1);
    await act(async () => {
      push('data: {"type":"session.ended","at":"2026-03-01T10:00:00Z","id":"ses_1"}\n\n');
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    expect(sessions).toHaveBeenCalledTimes(2);
    expect(requests).toHaveBeenCalledTimes(1);
  });
});
