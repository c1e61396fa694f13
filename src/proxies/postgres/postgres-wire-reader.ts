import { SQLSTATE } from './postgres-errors.ts';
import { WireProtocolError } from './postgres-wire-error.ts';

// Fatal decoding: text the gateway inspects must be exactly the text the
// server will see, so invalid UTF-8 is refused rather than replaced.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly; `what` names the field for the error message. */
export function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WireProtocolError(`invalid byte sequence for encoding "UTF8" in ${what}`, SQLSTATE.character_not_in_repertoire);
  }
}

/**
 * A cursor over one message body that never reads outside [start, end): every
 * read checks the declared length first, so a lying length field can only
 * produce a WireProtocolError, never a read of the next message's bytes.
 * Byte fields come back as zero-copy views of the message.
 */
export class BodyReader {
  readonly #buffer: Buffer;
  readonly #end: number;
  readonly #what: string;
  #offset: number;

  /** `what` names the message in error texts, e.g. "Bind message". */
  constructor(buffer: Buffer, start: number, what: string) {
    this.#buffer = buffer;
    this.#offset = start;
    this.#end = buffer.length;
    this.#what = what;
  }

  get remaining(): number {
    return this.#end - this.#offset;
  }

  /** The error for a malformed field; callers throw it so control flow stays visible. */
  error(problem: string): WireProtocolError {
    return new WireProtocolError(`invalid ${this.#what}: ${problem}`);
  }

  #need(count: number, field: string): void {
    if (count > this.remaining) throw this.error(`${field} runs past the end of the message`);
  }

  uint8(field: string): number {
    this.#need(1, field);
    return this.#buffer.readUInt8(this.#offset++);
  }

  int16(field: string): number {
    this.#need(2, field);
    const value = this.#buffer.readInt16BE(this.#offset);
    this.#offset += 2;
    return value;
  }

  uint16(field: string): number {
    this.#need(2, field);
    const value = this.#buffer.readUInt16BE(this.#offset);
    this.#offset += 2;
    return value;
  }

  int32(field: string): number {
    this.#need(4, field);
    const value = this.#buffer.readInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  uint32(field: string): number {
    this.#need(4, field);
    const value = this.#buffer.readUInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  bytes(count: number, field: string): Buffer {
    if (count < 0) throw this.error(`${field} has negative length ${count}`);
    this.#need(count, field);
    const view = this.#buffer.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return view;
  }

  rest(): Buffer {
    return this.bytes(this.remaining, 'body');
  }

  /** A NUL-terminated UTF-8 string; the NUL must lie inside the message. */
  cstring(field: string): string {
    const nul = this.#buffer.subarray(this.#offset, this.#end).indexOf(0);
    if (nul < 0) throw this.error(`${field} is not NUL-terminated within the message`);
    const text = decodeUtf8(this.#buffer.subarray(this.#offset, this.#offset + nul), `${this.#what} ${field}`);
    this.#offset += nul + 1;
    return text;
  }

  /** Counted arrays: checks the count against the bytes left before allocating anything for it. */
  count(field: string, bytesPerItem: number): number {
    const count = this.uint16(`${field} count`);
    if (count * bytesPerItem > this.remaining) throw this.error(`${field} count ${count} exceeds the message length`);
    return count;
  }

  /** Messages must be consumed exactly: trailing bytes would be seen by the server but not by the gateway. */
  end(): void {
    if (this.remaining !== 0) throw this.error(`${this.remaining} unexpected trailing byte(s)`);
  }
}
