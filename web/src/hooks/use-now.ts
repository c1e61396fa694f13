import { useCallback, useSyncExternalStore } from 'react';

/**
 * One shared timer per interval, however many countdowns are on screen: a
 * table of 500 live sessions re-renders once a second, not 500 timers' worth.
 * The timer runs only while something subscribes.
 */
interface Ticker {
  now: number;
  readonly listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | undefined;
}

const tickers = new Map<number, Ticker>();

function tickerFor(intervalMs: number): Ticker {
  let ticker = tickers.get(intervalMs);
  if (ticker === undefined) {
    ticker = { now: Date.now(), listeners: new Set(), timer: undefined };
    tickers.set(intervalMs, ticker);
  }
  return ticker;
}

function subscribe(intervalMs: number, listener: () => void): () => void {
  const ticker = tickerFor(intervalMs);
  ticker.listeners.add(listener);
  // A view mounting between ticks rendered with the last tick's time, up to a whole interval old (30 s for
  // "5 min ago" labels): a request made a moment ago read "in 20 s". Refresh everyone once, then let React
  // re-render the newcomer. At most once a second, so a table mounting 500 rows refreshes once, not 500 times.
  if (ticker.timer !== undefined && Date.now() - ticker.now >= 1000) {
    ticker.now = Date.now();
    for (const notify of ticker.listeners) notify();
  }
  if (ticker.timer === undefined) {
    ticker.now = Date.now();
    ticker.timer = setInterval(() => {
      ticker.now = Date.now();
      for (const notify of ticker.listeners) notify();
    }, intervalMs);
  }
  return () => {
    ticker.listeners.delete(listener);
    if (ticker.listeners.size === 0 && ticker.timer !== undefined) {
      clearInterval(ticker.timer);
      ticker.timer = undefined;
    }
  };
}

/** The current time, re-read every `intervalMs`: countdowns tick without a reload. */
export function useNow(intervalMs = 1000): number {
  const ticker = tickerFor(intervalMs);
  // While no timer runs (first render on an idle ticker), start from the clock rather than a stale tick.
  if (ticker.timer === undefined) ticker.now = Date.now();
  // A stable subscribe, so re-renders do not stop and restart the shared timer.
  const onSubscribe = useCallback((listener: () => void) => subscribe(intervalMs, listener), [intervalMs]);
  return useSyncExternalStore(onSubscribe, () => ticker.now);
}
