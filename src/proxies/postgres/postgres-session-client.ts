import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { FrontendDecoder, isWireProtocolError, type FrontendMessage, type WireProtocolError } from './postgres-wire.ts';

/**
 * The client's side of a session: the socket (plain, then TLS after an
 * SSLRequest), the frontend decoder, and a queue of decoded messages the
 * session takes one at a time. Reading pauses while the queue holds more
 * than HIGH_WATER_BYTES, so a client that sends faster than the upstream
 * takes never makes the gateway buffer without bound.
 */

const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
/** Until the client has authenticated only a password can arrive, and tokens are short. */
export const PRE_AUTH_MAX_MESSAGE_BYTES = 16 * 1024;
/** How long a closing client may take to hang up after its last message before the socket is destroyed. */
const CLOSE_GRACE_MS = 2000;

export class ClientConnection {
  readonly raw: Socket;
  readonly decoder: FrontendDecoder;
  readonly closed: Promise<void>;
  /** Told of every chunk received, for the session's byte counters. */
  onBytes: ((count: number) => void) | null = null;
  #stream: Socket | TLSSocket;
  #queue: FrontendMessage[] = [];
  #head = 0;
  #queuedBytes = 0;
  #paused = false;
  #ended = false;
  #failure: WireProtocolError | null = null;
  #waiter: ((message: FrontendMessage | null) => void) | null = null;

  readonly #onData = (chunk: Buffer): void => {
    this.onBytes?.(chunk.length);
    let messages: FrontendMessage[];
    try {
      messages = this.decoder.push(chunk);
    } catch (error) {
      if (!isWireProtocolError(error)) throw error;
      this.#failure = error;
      this.#stream.pause();
      this.#wake();
      return;
    }
    for (const message of messages) {
      this.#queue.push(message);
      this.#queuedBytes += message.raw.length;
    }
    if (this.#queuedBytes > HIGH_WATER_BYTES && !this.#paused) {
      this.#paused = true;
      this.#stream.pause();
    }
    this.#wake();
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#wake();
  };

  constructor(socket: Socket) {
    this.raw = socket;
    this.#stream = socket;
    this.decoder = new FrontendDecoder();
    this.decoder.setMaxMessageBytes(PRE_AUTH_MAX_MESSAGE_BYTES);
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    // Errors (a reset, a failed TLS handshake) surface as 'close'; the session logs its own reasons.
    socket.on('error', () => undefined);
    this.#listen(socket);
  }

  get tls(): boolean {
    return this.#stream instanceof TLSSocket;
  }

  get remoteAddress(): string {
    return this.raw.remoteAddress ?? 'unknown';
  }

  /** Why reading stopped, when the client broke the protocol. */
  get failure(): WireProtocolError | null {
    return this.#failure;
  }

  get writable(): boolean {
    return !this.#stream.destroyed && this.#stream.writable;
  }

  /** The next message already received, without waiting. */
  take(): FrontendMessage | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const message = this.#queue[this.#head]!;
    // Drop the reference so a large message's memory is freed once handled.
    this.#queue[this.#head++] = undefined as unknown as FrontendMessage;
    this.#queuedBytes -= message.raw.length;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    if (this.#paused && this.#queuedBytes < LOW_WATER_BYTES) {
      this.#paused = false;
      this.#stream.resume();
    }
    return message;
  }

  /** The next message; null once the client has hung up or broken the protocol (see `failure`). */
  next(): Promise<FrontendMessage | null> {
    const message = this.take();
    if (message !== undefined) return Promise.resolve(message);
    if (this.#isOver()) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  write(bytes: Buffer): boolean {
    if (!this.writable) return false;
    return this.#stream.write(bytes);
  }

  cork(): void {
    this.#stream.cork();
  }

  uncork(): void {
    this.#stream.uncork();
  }

  onDrain(listener: () => void): void {
    this.#stream.once('drain', listener);
  }

  /**
   * Answers an SSLRequest with 'S' and runs the TLS handshake over the same
   * connection; resolves false when the handshake fails.
   */
  async upgrade(context: SecureContext): Promise<boolean> {
    this.#unlisten(this.raw);
    this.raw.write('S');
    const secure = new TLSSocket(this.raw, { isServer: true, secureContext: context });
    secure.on('error', () => undefined);
    const ok = await new Promise<boolean>((resolve) => {
      secure.once('secure', () => resolve(true));
      secure.once('error', () => resolve(false));
      secure.once('close', () => resolve(false));
    });
    if (!ok) {
      this.raw.destroy();
      return false;
    }
    this.#stream = secure;
    this.#listen(secure);
    return true;
  }

  /** Sends `last` (if any), then closes; a client that does not hang up in time is cut off. */
  end(last: Buffer | null): void {
    this.#ended = true;
    this.#wake();
    if (this.raw.destroyed) return;
    const stream = this.#stream;
    if (last !== null && stream.writable) stream.end(last);
    else stream.end();
    const timer = setTimeout(() => this.raw.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.raw.once('close', () => clearTimeout(timer));
  }

  destroy(): void {
    this.#ended = true;
    this.#wake();
    this.#stream.destroy();
    this.raw.destroy();
  }

  #isOver(): boolean {
    return this.#ended || this.#failure !== null || this.raw.destroyed;
  }

  #listen(stream: Socket | TLSSocket): void {
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onEnd);
  }

  #unlisten(stream: Socket | TLSSocket): void {
    stream.off('data', this.#onData);
    stream.off('end', this.#onEnd);
    stream.off('close', this.#onEnd);
  }

  #wake(): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    const message = this.take();
    if (message === undefined && !this.#isOver()) return;
    this.#waiter = null;
    waiter(message ?? null);
  }
}
