import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { errorResponseFor, SQLSTATE } from './postgres-errors.ts';
import type { ClientConnection } from './postgres-session-client.ts';
import { OutputBatch } from './postgres-session-output.ts';
import { ProtocolDesync, type ResponseTracker } from './postgres-session-responses.ts';
import { BackendFramer, isWireProtocolError, type BackendFrame } from './postgres-wire.ts';

/**
 * The database → client direction of a session: frames what the upstream
 * sends, lets the ResponseTracker settle (and where needed replace) each
 * message, and writes each read's messages to the client in one batch. When
 * the client reads slower than the database answers, the upstream socket is
 * paused until the client catches up, so no result is ever buffered whole.
 */
export class Downstream {
  readonly #upstream: Socket | TLSSocket;
  readonly #client: ClientConnection;
  readonly #tracker: ResponseTracker;
  readonly #counters: { bytesOut: number };
  readonly #logger: Logger;
  readonly #onDesync: (fatal: Buffer) => void;
  readonly #framer = new BackendFramer();
  #drainPending = false;
  /** Chunks that arrived while a result waits for its lookups; null when none is waiting. */
  #held: Buffer[] | null = null;
  #stopped = false;

  readonly #onData = (chunk: Buffer): void => this.#relay(chunk);

  constructor(deps: {
    upstream: Socket | TLSSocket;
    client: ClientConnection;
    tracker: ResponseTracker;
    counters: { bytesOut: number };
    logger: Logger;
    onDesync: (fatal: Buffer) => void;
  }) {
    this.#upstream = deps.upstream;
    this.#client = deps.client;
    this.#tracker = deps.tracker;
    this.#counters = deps.counters;
    this.#logger = deps.logger;
    this.#onDesync = deps.onDesync;
  }

  /** Starts relaying; `leftover` holds bytes the upstream sent right after its startup. */
  start(leftover: Buffer): void {
    this.#upstream.on('data', this.#onData);
    if (leftover.length > 0) this.#relay(leftover);
    this.#upstream.resume();
  }

  stop(): void {
    this.#stopped = true;
    this.#upstream.off('data', this.#onData);
  }

  #relay(chunk: Buffer): void {
    if (this.#stopped) return;
    if (this.#held !== null) {
      this.#held.push(chunk);
      return;
    }
    this.#relayFrames(this.#framer.push(chunk), false);
  }

  /**
   * A result that is masked may first need catalog lookups (see
   * ResponseTracker.prepare): the stream stops at that message, the upstream
   * is paused, and everything after it waits, in order, until they are done.
   */
  #hold(frames: BackendFrame[], waiting: Promise<void>): void {
    this.#held = [];
    this.#upstream.pause();
    void waiting.then(() => {
      const chunks = this.#held ?? [];
      this.#held = null;
      if (this.#stopped) return;
      this.#relayFrames(frames, true);
      for (const chunk of chunks) this.#relay(chunk);
      if (this.#held === null && !this.#drainPending) this.#upstream.resume();
    });
  }

  #relayFrames(frames: BackendFrame[], firstPrepared: boolean): void {
    const out = new OutputBatch();
    try {
      for (let index = 0; index < frames.length; index++) {
        const frame = frames[index]!;
        const waiting = index === 0 && firstPrepared ? undefined : this.#tracker.prepare(frame);
        if (waiting !== undefined) {
          this.#hold(frames.slice(index), waiting);
          break;
        }
        out.add(this.#tracker.handle(frame));
        // Settling a message can end the session (read-only lost): nothing after it reaches the client.
        if (this.#stopped) return;
      }
    } catch (error) {
      if (!(error instanceof ProtocolDesync) && !isWireProtocolError(error)) throw error;
      this.#logger.error({ err: error }, 'lost track of the upstream protocol');
      this.#write(out);
      this.#onDesync(
        errorResponseFor({ code: SQLSTATE.protocol_violation, message: 'Stint could not follow the exchange with the database and closed the session', fatal: true }),
      );
      return;
    }
    this.#write(out);
  }

  #write(out: OutputBatch): void {
    this.#counters.bytesOut += out.bytes;
    if (out.flush(this.#client) || this.#drainPending) return;
    this.#drainPending = true;
    this.#upstream.pause();
    this.#client.onDrain(() => {
      this.#drainPending = false;
      if (!this.#stopped) this.#upstream.resume();
    });
  }
}
