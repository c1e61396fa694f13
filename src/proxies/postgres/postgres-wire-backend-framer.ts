import { ChunkQueue } from './postgres-wire-chunks.ts';
import { WireProtocolError } from './postgres-wire-error.ts';
import { checkLimit, TYPED_HEADER_BYTES, takeTypedFrame } from './postgres-wire-frame.ts';

/**
 * PostgreSQL builds each outgoing message in one buffer capped at 1 GiB
 * (MaxAllocSize), so no genuine server message is larger.
 */
export const DEFAULT_MAX_BACKEND_MESSAGE_BYTES = 1024 * 1024 * 1024;

/** One backend message: `type` is its one-character code; `raw` and `body` are views where possible. */
export interface BackendFrame {
  readonly type: string;
  readonly raw: Buffer;
  readonly body: Buffer;
}

export interface BackendFramerOptions {
  /** Largest message accepted, counted as the length field does (itself plus the body). */
  readonly maxMessageBytes?: number;
}

/**
 * Splits the server → gateway stream into whole messages without decoding
 * them: most of them (DataRow, CommandComplete, ...) are relayed as they are,
 * and the few the gateway reads go through the parsers in
 * postgres-wire-backend-parse.ts.
 *
 * Same chunking and memory guarantees as FrontendDecoder: any chunk
 * boundaries, one copy per message that spans chunks, and at most one
 * message's bytes held between calls.
 */
export class BackendFramer {
  readonly #queue = new ChunkQueue();
  readonly #maxMessageBytes: number;
  #failure: WireProtocolError | null = null;

  constructor(options: BackendFramerOptions = {}) {
    this.#maxMessageBytes = checkLimit('maxMessageBytes', options.maxMessageBytes ?? DEFAULT_MAX_BACKEND_MESSAGE_BYTES, 4);
  }

  /** Bytes received but not yet returned as a message. */
  get bufferedBytes(): number {
    return this.#queue.length;
  }

  /** The most this framer can hold between calls to push. */
  get maxBufferedBytes(): number {
    return this.#maxMessageBytes;
  }

  push(chunk: Uint8Array): BackendFrame[] {
    if (this.#failure !== null) throw this.#failure;
    this.#queue.push(chunk);
    const frames: BackendFrame[] = [];
    try {
      for (;;) {
        const raw = takeTypedFrame(this.#queue, this.#maxMessageBytes);
        if (raw === null) return frames;
        frames.push({ type: String.fromCharCode(raw[0]!), raw, body: raw.subarray(TYPED_HEADER_BYTES) });
      }
    } catch (error) {
      if (error instanceof WireProtocolError) {
        this.#failure = error;
        this.#queue.clear();
      }
      throw error;
    }
  }
}
