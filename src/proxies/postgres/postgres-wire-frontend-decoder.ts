import { ChunkQueue } from './postgres-wire-chunks.ts';
import { WireProtocolError } from './postgres-wire-error.ts';
import { checkLimit, takeTypedFrame } from './postgres-wire-frame.ts';
import { parseFrontendMessage, type FrontendMessage } from './postgres-wire-frontend-messages.ts';
import { MIN_STARTUP_PACKET_BYTES, parseStartupPacket } from './postgres-wire-startup.ts';

/** PostgreSQL refuses larger messages from clients too (PQ_LARGE_MESSAGE_LIMIT is 1 GiB; this is tighter). */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** Same bound as PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const DEFAULT_MAX_STARTUP_BYTES = 10_000;

export interface FrontendDecoderOptions {
  /** Largest typed message accepted, counted as the length field does (itself plus the body). */
  readonly maxMessageBytes?: number;
  /** Largest startup-phase packet accepted, length field included. */
  readonly maxStartupBytes?: number;
}

/**
 * `startup`: untyped packets (SSLRequest, GSSENCRequest, then StartupMessage
 * or CancelRequest). `messages`: typed messages. `ended`: a CancelRequest was
 * read; nothing may follow it on that connection.
 */
export type FrontendPhase = 'startup' | 'messages' | 'ended';

/**
 * Incremental decoder for the client → server direction. Feed it whatever
 * the socket delivers; it returns every message completed so far, in order,
 * with any chunk boundaries.
 *
 * The phase moves to `messages` by itself after a StartupMessage, because a
 * StartupMessage is always the last untyped packet; after SSLRequest and
 * GSSENCRequest it stays in `startup`, since another untyped packet follows.
 * `startupDone()` switches explicitly, for callers that take over a
 * connection whose startup was handled elsewhere.
 *
 * Memory: between calls it holds less than one message (at most
 * max(maxMessageBytes, maxStartupBytes − 1) bytes); during a call, that plus
 * the chunk being pushed. Returned buffers are views into the pushed chunks,
 * so callers must not reuse a chunk's memory after pushing it.
 *
 * After it throws a WireProtocolError the decoder stays failed and throws the
 * same error on every later call.
 */
export class FrontendDecoder {
  readonly #queue = new ChunkQueue();
  readonly #maxStartupBytes: number;
  #maxMessageBytes: number;
  #phase: FrontendPhase = 'startup';
  #sawSslRequest = false;
  #sawGssEncRequest = false;
  #failure: WireProtocolError | null = null;

  constructor(options: FrontendDecoderOptions = {}) {
    this.#maxMessageBytes = checkLimit('maxMessageBytes', options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, 4);
    this.#maxStartupBytes = checkLimit(
      'maxStartupBytes',
      options.maxStartupBytes ?? DEFAULT_MAX_STARTUP_BYTES,
      MIN_STARTUP_PACKET_BYTES + 1,
    );
  }

  get phase(): FrontendPhase {
    return this.#phase;
  }

  /** Bytes received but not yet returned as a message. */
  get bufferedBytes(): number {
    return this.#queue.length;
  }

  get maxMessageBytes(): number {
    return this.#maxMessageBytes;
  }

  /** The most this decoder can hold between calls to push (see the class comment). */
  get maxBufferedBytes(): number {
    return Math.max(this.#maxMessageBytes, this.#maxStartupBytes - 1);
  }

  /**
   * Changes the typed-message limit, e.g. a small one until the client has
   * authenticated and the full one after. It applies from the next push,
   * including to a message already partly received.
   */
  setMaxMessageBytes(limit: number): void {
    this.#maxMessageBytes = checkLimit('maxMessageBytes', limit, 4);
  }

  push(chunk: Uint8Array): FrontendMessage[] {
    if (this.#failure !== null) throw this.#failure;
    this.#queue.push(chunk);
    return this.#drain();
  }

  /** Ends the startup phase now; returns any messages already held that it completes. */
  startupDone(): FrontendMessage[] {
    if (this.#failure !== null) throw this.#failure;
    if (this.#phase === 'startup') this.#phase = 'messages';
    return this.#drain();
  }

  #drain(): FrontendMessage[] {
    const messages: FrontendMessage[] = [];
    try {
      for (;;) {
        const message = this.#phase === 'messages' ? this.#nextTyped() : this.#nextUntyped();
        if (message === null) return messages;
        messages.push(message);
      }
    } catch (error) {
      if (error instanceof WireProtocolError) {
        this.#failure = error;
        // Nothing more will be decoded; release what was held.
        this.#queue.clear();
      }
      throw error;
    }
  }

  #nextTyped(): FrontendMessage | null {
    const raw = takeTypedFrame(this.#queue, this.#maxMessageBytes);
    return raw === null ? null : parseFrontendMessage(raw);
  }

  #nextUntyped(): FrontendMessage | null {
    const queue = this.#queue;
    if (this.#phase === 'ended') {
      if (queue.length > 0) throw new WireProtocolError('unexpected data after CancelRequest');
      return null;
    }
    if (queue.length < 4) return null;
    const length = queue.int32At(0);
    if (length < MIN_STARTUP_PACKET_BYTES || length > this.#maxStartupBytes) {
      throw new WireProtocolError(
        `invalid length ${length} of startup packet (expected ${MIN_STARTUP_PACKET_BYTES} to ${this.#maxStartupBytes} bytes)`,
      );
    }
    if (queue.length < length) return null;
    const packet = parseStartupPacket(queue.take(length));
    switch (packet.type) {
      case 'startup':
        this.#phase = 'messages';
        break;
      case 'cancelRequest':
        this.#phase = 'ended';
        break;
      case 'sslRequest':
      case 'gssEncRequest': {
        const what = packet.type === 'sslRequest' ? 'SSL' : 'GSSAPI encryption';
        const seen = packet.type === 'sslRequest' ? this.#sawSslRequest : this.#sawGssEncRequest;
        if (seen) throw new WireProtocolError(`duplicate ${what} request`);
        if (packet.type === 'sslRequest') this.#sawSslRequest = true;
        else this.#sawGssEncRequest = true;
        // Bytes sent before the answer would be read as if they had come
        // through the encrypted channel (CVE-2021-23214); refuse them.
        if (queue.length > 0) throw new WireProtocolError(`received unencrypted data after ${what} request`);
        break;
      }
    }
    return packet;
  }
}
