import type { ChunkQueue } from './postgres-wire-chunks.ts';
import { WireProtocolError } from './postgres-wire-error.ts';

/** Type byte plus Int32 length. */
export const TYPED_HEADER_BYTES = 5;

/** How a type byte reads in an error message: the character when printable, else its code. */
export function describeTypeByte(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Takes one typed message (type, length, body) off the front of the queue,
 * or returns null while it is incomplete. The length is checked as soon as
 * the five header bytes are in, so an oversized message is refused before
 * its body is buffered.
 */
export function takeTypedFrame(queue: ChunkQueue, maxMessageBytes: number): Buffer | null {
  if (queue.length < TYPED_HEADER_BYTES) return null;
  const length = queue.int32At(1);
  if (length < 4) {
    throw new WireProtocolError(`invalid length ${length} for message type ${describeTypeByte(queue.byteAt(0))}`);
  }
  if (length > maxMessageBytes) {
    throw new WireProtocolError(
      `message type ${describeTypeByte(queue.byteAt(0))} is ${length} bytes long, over the limit of ${maxMessageBytes}`,
    );
  }
  if (queue.length < length + 1) return null;
  return queue.take(length + 1);
}

/** Validates a byte-limit option: a positive integer that fits the protocol's Int32 length. */
export function checkLimit(name: string, value: number, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum || value > 0x7fffffff) {
    throw new RangeError(`${name} must be an integer from ${minimum} to ${0x7fffffff}, got ${value}`);
  }
  return value;
}
