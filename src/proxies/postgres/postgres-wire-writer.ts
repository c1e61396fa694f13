/**
 * Builds one protocol message: collects the body's fields, then prefixes the
 * type byte (if any) and the Int32 length, which counts itself and the body but
 * not the type byte. Encoders are called for a handful of messages per
 * statement, so clarity wins over pooling here.
 */
export class MessageWriter {
  readonly #parts: Buffer[] = [];
  #size = 0;

  #add(part: Buffer): this {
    this.#parts.push(part);
    this.#size += part.length;
    return this;
  }

  byte(value: number): this {
    const part = Buffer.allocUnsafe(1);
    part.writeUInt8(value);
    return this.#add(part);
  }

  int16(value: number): this {
    const part = Buffer.allocUnsafe(2);
    part.writeInt16BE(value);
    return this.#add(part);
  }

  uint16(value: number): this {
    const part = Buffer.allocUnsafe(2);
    part.writeUInt16BE(value);
    return this.#add(part);
  }

  int32(value: number): this {
    const part = Buffer.allocUnsafe(4);
    part.writeInt32BE(value);
    return this.#add(part);
  }

  uint32(value: number): this {
    const part = Buffer.allocUnsafe(4);
    part.writeUInt32BE(value);
    return this.#add(part);
  }

  bytes(value: Uint8Array): this {
    return this.#add(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }

  /**
   * A NUL-terminated UTF-8 string. An embedded NUL would end the field early
   * and shift every later field, so it is refused, never truncated.
   */
  cstring(value: string): this {
    const encoded = Buffer.from(value, 'utf8');
    if (encoded.includes(0)) throw new RangeError('a protocol string cannot contain a NUL character');
    this.#add(encoded);
    return this.byte(0);
  }

  /** The finished message; `type` is its one-character code, omitted for startup-phase packets. */
  build(type?: string): Buffer {
    const header = type === undefined ? 4 : 5;
    const length = this.#size + 4;
    if (length > 0x7fffffff) throw new RangeError(`message body of ${this.#size} bytes is too large for the protocol`);
    const out = Buffer.allocUnsafe(header + this.#size);
    let offset = 0;
    if (type !== undefined) {
      if (type.length !== 1 || type.charCodeAt(0) > 0xff) throw new RangeError(`message type must be one byte, got "${type}"`);
      offset = out.writeUInt8(type.charCodeAt(0), offset);
    }
    offset = out.writeInt32BE(length, offset);
    for (const part of this.#parts) offset += part.copy(out, offset);
    return out;
  }
}
