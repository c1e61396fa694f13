import type { Socket } from 'node:net';
import type { UpstreamAttempt } from './postgres-upstream-attempt.ts';
import { BackendFramer, isWireProtocolError, type BackendFrame } from './postgres-wire.ts';

/**
 * Startup messages are small (authentication, ParameterStatus, notices); a
 * larger one during startup is a broken or hostile server, not data.
 */
const MAX_STARTUP_MESSAGE_BYTES = 1024 * 1024;

/**
 * Hands out the upstream's messages one at a time during startup, then gives
 * the socket back exactly where the caller should pick up: paused, with the
 * bytes already read past the last message taken returned as `leftover`.
 */
export class StartupReader {
  readonly #socket: Socket;
  readonly #attempt: UpstreamAttempt;
  readonly #framer = new BackendFramer({ maxMessageBytes: MAX_STARTUP_MESSAGE_BYTES });
  readonly #frames: BackendFrame[] = [];
  /** Bytes of the message the framer is still waiting to complete (its tail end of the stream). */
  #partial: Buffer[] = [];
  #failure: Error | null = null;
  #waiter: { resolve: (frame: BackendFrame) => void; reject: (error: Error) => void } | null = null;

  readonly #onData = (chunk: Buffer): void => {
    try {
      const frames = this.#framer.push(chunk);
      // A message completed in this chunk, so whatever the framer still holds began in it.
      if (frames.length > 0) this.#partial = [chunk.subarray(chunk.length - this.#framer.bufferedBytes)];
      else this.#partial.push(chunk);
      this.#frames.push(...frames);
    } catch (error) {
      this.#fail(isWireProtocolError(error) ? this.#attempt.protocolError(error.message, error) : (error as Error));
      return;
    }
    this.#deliver();
  };

  readonly #onError = (error: Error): void => this.#fail(error);
  readonly #onClose = (): void => this.#fail(this.#attempt.closedError());

  constructor(socket: Socket, attempt: UpstreamAttempt) {
    this.#socket = socket;
    this.#attempt = attempt;
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    // The socket may have been paused explicitly (after SSLRequest); a data listener alone does not resume it.
    socket.resume();
  }

  next(): Promise<BackendFrame> {
    if (this.#waiter !== null) return Promise.reject(new Error('StartupReader.next called while a read is pending'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#deliver();
    });
  }

  /**
   * Stops reading and returns every byte received but not handed out. The
   * socket is left paused with no listeners of ours, except a guard that
   * keeps an error in the hand-over from crashing the process until the new
   * owner listens for errors itself.
   */
  detach(): Buffer {
    this.#socket.pause();
    this.#socket.off('data', this.#onData);
    this.#socket.off('error', this.#onError);
    this.#socket.off('close', this.#onClose);
    guardErrorsUntilAdopted(this.#socket);
    return Buffer.concat([...this.#frames.map((frame) => frame.raw), ...this.#partial]);
  }

  #deliver(): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    const frame = this.#frames.shift();
    if (frame !== undefined) {
      this.#waiter = null;
      waiter.resolve(frame);
    } else if (this.#failure !== null) {
      this.#waiter = null;
      waiter.reject(this.#failure);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#deliver();
  }
}

function guardErrorsUntilAdopted(socket: Socket): void {
  const guard = (): void => undefined;
  const adopt = (event: string | symbol): void => {
    if (event !== 'error') return;
    socket.off('error', guard);
    socket.off('newListener', adopt);
  };
  socket.on('error', guard);
  socket.on('newListener', adopt);
}
