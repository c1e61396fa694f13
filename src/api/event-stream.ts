import type { ServerResponse } from 'node:http';
import type { ConsoleEvent, ConsoleFeed } from '../events/console-feed.ts';
import { visibleTo } from '../events/console-feed.ts';

/**
 * One `text/event-stream` connection of the console's live feed. It writes
 * only what the viewer may see, keeps the connection alive through proxies,
 * never holds more than a bounded backlog for a slow reader (it drops the
 * connection instead, and the console falls back to polling), and ends when
 * the token behind it stops being valid.
 */

export interface EventStreamOptions {
  /** Comment line interval that keeps proxies and the client from timing the stream out. */
  readonly keepaliveMs: number;
  /** How often the token (and the person behind it) is re-checked; revocation on another node is seen within this. */
  readonly recheckMs: number;
  /** Most messages held for a reader that does not keep up before the connection is dropped. */
  readonly maxBacklog: number;
}

export const DEFAULT_EVENT_STREAM_OPTIONS: EventStreamOptions = { keepaliveMs: 15_000, recheckMs: 5_000, maxBacklog: 256 };

/** Why a stream ended, sent as a final comment line when the connection can still take it. */
export type StreamEnd = 'token_expired' | 'token_revoked' | 'backlog_full' | 'client_closed' | 'server_closing';

export interface EventStreamViewer {
  readonly email: string;
  /** Staff see every event; contractors only those about themself. */
  readonly staff: boolean;
  /** When the token ends (ms); null for none. */
  readonly expiresAt: number | null;
}

export interface EventStreamDeps {
  readonly feed: Pick<ConsoleFeed, 'subscribe'>;
  readonly now: () => number;
  /** Whether the token (and its holder) may still be used; false ends the stream. */
  readonly stillValid: () => Promise<boolean>;
  readonly onError: (error: unknown) => void;
}

/** Node caps a timer at 2^31-1 ms (~24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

export function formatEvent(change: ConsoleEvent): string {
  return `data: ${JSON.stringify(change)}\n\n`;
}

export class EventStream {
  readonly #raw: ServerResponse;
  readonly #viewer: EventStreamViewer;
  readonly #deps: EventStreamDeps;
  readonly #options: EventStreamOptions;
  readonly #backlog: string[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #expiryTimer: NodeJS.Timeout | null = null;
  #waitingForDrain = false;
  #unsubscribe: (() => void) | null = null;
  #ended: StreamEnd | null = null;
  readonly #done: Promise<StreamEnd>;
  #resolveDone: (end: StreamEnd) => void = () => undefined;

  constructor(raw: ServerResponse, viewer: EventStreamViewer, deps: EventStreamDeps, options: EventStreamOptions = DEFAULT_EVENT_STREAM_OPTIONS) {
    this.#raw = raw;
    this.#viewer = viewer;
    this.#deps = deps;
    this.#options = options;
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  /** Resolves with the reason once the stream has ended. */
  get done(): Promise<StreamEnd> {
    return this.#done;
  }

  get backlog(): number {
    return this.#backlog.length;
  }

  /** Writes the headers and starts listening. `headers` are added to the stream's own (security headers). */
  start(headers: Readonly<Record<string, string>>): void {
    this.#raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      // Reverse proxies (nginx) must not buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.#raw.on('close', () => this.end('client_closed'));
    this.#raw.on('error', () => this.end('client_closed'));
    // `retry` tells a reconnecting client how long to wait; the first comment flushes the headers through proxies.
    this.#write(`retry: 5000\n: connected\n\n`);
    this.#unsubscribe = this.#deps.feed.subscribe((change) => {
      if (!visibleTo(change, this.#viewer)) return;
      this.#write(formatEvent(change));
      // Offboarding announces itself: check at once rather than at the next interval.
      if (change.type === 'contractor.changed' && change.email === this.#viewer.email) void this.#recheck();
    });
    this.#timers.push(setInterval(() => this.#write(': keepalive\n\n'), this.#options.keepaliveMs));
    this.#timers.push(setInterval(() => void this.#recheck(), this.#options.recheckMs));
    this.#armExpiry();
  }

  /** Ends the stream (idempotent). */
  end(reason: StreamEnd): void {
    if (this.#ended !== null) return;
    this.#ended = reason;
    this.#unsubscribe?.();
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#expiryTimer !== null) clearTimeout(this.#expiryTimer);
    if (!this.#raw.destroyed && !this.#raw.writableEnded) {
      if (reason === 'backlog_full') this.#raw.destroy();
      else this.#raw.end(reason === 'client_closed' ? undefined : `: closed ${reason}\n\n`);
    }
    this.#resolveDone(reason);
  }

  #write(chunk: string): void {
    if (this.#ended !== null) return;
    if (this.#waitingForDrain) {
      // A reader that stopped reading must not make the server hold an unbounded queue.
      if (this.#backlog.length >= this.#options.maxBacklog) {
        this.end('backlog_full');
        return;
      }
      this.#backlog.push(chunk);
      return;
    }
    if (!this.#raw.write(chunk)) {
      this.#waitingForDrain = true;
      this.#raw.once('drain', () => this.#drain());
    }
  }

  #drain(): void {
    this.#waitingForDrain = false;
    while (this.#backlog.length > 0 && this.#ended === null) {
      const chunk = this.#backlog.shift()!;
      if (!this.#raw.write(chunk)) {
        this.#waitingForDrain = true;
        this.#raw.once('drain', () => this.#drain());
        return;
      }
    }
  }

  #armExpiry(): void {
    const { expiresAt } = this.#viewer;
    if (expiresAt === null) return;
    const wait = expiresAt - this.#deps.now();
    if (wait <= 0) {
      this.end('token_expired');
      return;
    }
    this.#expiryTimer = setTimeout(() => (wait > MAX_TIMER_MS ? this.#armExpiry() : this.end('token_expired')), Math.min(wait, MAX_TIMER_MS));
  }

  async #recheck(): Promise<void> {
    if (this.#ended !== null) return;
    try {
      if (!(await this.#deps.stillValid())) this.end('token_revoked');
    } catch (error) {
      // Fail closed: when validity cannot be established the stream ends; the client reconnects and authenticates again.
      this.#deps.onError(error);
      this.end('token_revoked');
    }
  }
}

/**
 * Open streams per server, so closing the server ends them: an event stream is
 * never idle, and an HTTP server waits for busy connections before it closes.
 */
const openStreams = new WeakMap<object, Set<EventStream>>();

export function trackStream(server: object, stream: EventStream): void {
  const set = openStreams.get(server) ?? new Set<EventStream>();
  openStreams.set(server, set);
  set.add(stream);
  void stream.done.then(() => set.delete(stream));
}

export function endStreams(server: object): void {
  for (const stream of [...(openStreams.get(server) ?? [])]) stream.end('server_closing');
}
