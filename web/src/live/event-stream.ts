import type { LiveEvent } from '../api/api-types.ts';
import type { Http } from '../api/http-client.ts';
import { SseParser } from './sse-parser.ts';

function isLiveEvent(value: unknown): value is LiveEvent {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Reads `/v1/events` until the stream ends or `signal` aborts. Resolves when
 * the server closes the stream; rejects (with an ApiError) when it cannot be
 * opened, so the caller can fall back to polling.
 */
export async function readEventStream(http: Http, signal: AbortSignal, onOpen: () => void, onEvent: (event: LiveEvent) => void): Promise<void> {
  const response = await http.raw('/v1/events', { signal, accept: 'text/event-stream' });
  const body = response.body;
  if (body === null) throw new Error('The event stream has no body.');
  onOpen();
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const message of parser.push(value)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message.data);
        } catch {
          // A malformed event is skipped; the next poll or event brings the truth.
          continue;
        }
        if (isLiveEvent(parsed)) onEvent(parsed);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
