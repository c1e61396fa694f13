import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { LiveEvent } from '../api/api-types.ts';
import type { Http } from '../api/http-client.ts';
import { readEventStream } from './event-stream.ts';

export type LiveMode = 'connecting' | 'streaming' | 'polling';

/** A subscriber hears matching events, and a tick (event null) every poll while the stream is down. */
type Subscriber = { readonly types: readonly string[]; readonly notify: (event: LiveEvent | null) => void };

interface LiveHub {
  readonly mode: LiveMode;
  subscribe(subscriber: Subscriber): () => void;
}

const LiveContext = createContext<LiveHub | null>(null);

export const POLL_INTERVAL_MS = 5000;
/** How long to wait before trying the stream again after it failed. */
export const RECONNECT_MS = 30_000;

/**
 * One event stream per signed-in tab, shared by every page. When the stream
 * cannot be opened or drops, pages are refreshed by polling every 5 s until
 * it comes back.
 */
export function LiveProvider({ http, children }: { http: Http; children: ReactNode }) {
  const [mode, setMode] = useState<LiveMode>('connecting');
  const subscribers = useRef(new Set<Subscriber>());

  useEffect(() => {
    const controller = new AbortController();
    let poll: ReturnType<typeof setInterval> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const notifyAll = (event: LiveEvent | null) => {
      for (const subscriber of subscribers.current) {
        if (event === null || subscriber.types.includes(event.type)) subscriber.notify(event);
      }
    };
    const startPolling = () => {
      setMode('polling');
      poll ??= setInterval(() => notifyAll(null), POLL_INTERVAL_MS);
      retry = setTimeout(connect, RECONNECT_MS);
    };
    const stopPolling = () => {
      if (poll !== undefined) clearInterval(poll);
      poll = undefined;
    };
    function connect() {
      if (controller.signal.aborted) return;
      readEventStream(
        http,
        controller.signal,
        () => {
          stopPolling();
          setMode('streaming');
          // Anything missed while the stream was down is picked up now.
          notifyAll(null);
        },
        notifyAll,
      ).then(
        () => {
          if (!controller.signal.aborted) startPolling();
        },
        () => {
          if (!controller.signal.aborted) startPolling();
        },
      );
    }
    connect();
    return () => {
      controller.abort();
      stopPolling();
      if (retry !== undefined) clearTimeout(retry);
    };
  }, [http]);

  const hub = useMemo<LiveHub>(
    () => ({
      mode,
      subscribe(subscriber) {
        subscribers.current.add(subscriber);
        return () => {
          subscribers.current.delete(subscriber);
        };
      },
    }),
    [mode],
  );
  return <LiveContext.Provider value={hub}>{children}</LiveContext.Provider>;
}

/** Calls `refresh` when an event of one of `types` arrives, or on each poll tick while the stream is down. */
export function useLiveRefresh(types: readonly string[], refresh: () => void): void {
  const hub = useContext(LiveContext);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const key = types.join(',');
  useEffect(() => {
    if (hub === null) return;
    return hub.subscribe({ types: key.split(','), notify: () => refreshRef.current() });
  }, [hub, key]);
}

export function useLiveMode(): LiveMode | null {
  return useContext(LiveContext)?.mode ?? null;
}
