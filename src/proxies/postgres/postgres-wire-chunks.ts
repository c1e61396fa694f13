/** Chunks up to this size are copied into a shared buffer instead of being queued one by one. */
const SMALL_CHUNK_BYTES = 256;
const COALESCE_BUFFER_BYTES = 4096;

/**
 * A byte queue over received chunks. Chunks are kept as a list and a message
 * is copied out once, when it is complete, so a large message arriving in
 * many chunks costs O(n), not O(n²). A message that lies inside one chunk is
 * returned as a zero-copy view of it.
 *
 * Tiny chunks that extend a partial message (a client trickling bytes) are
 * copied into shared 4 KiB buffers, so the per-chunk bookkeeping stays
 * proportional to the bytes held rather than to the number of chunks.
 */
export class ChunkQueue {
  #chunks: Buffer[] = [];
  /** Index of the first live chunk and the read offset inside it. */
  #first = 0;
  #offset = 0;
  #length = 0;
  /** Coalescing buffer for small chunks; while #spareLive, its view [#spareStart, #spareUsed) is the last queued chunk. */
  #spare: Buffer | null = null;
  #spareStart = 0;
  #spareUsed = 0;
  #spareLive = false;

  /** Bytes held and not yet taken. */
  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    // Chunks are queued as they are unless they are tiny and extend bytes
    // already waiting: only then can many of them pile up for one message.
    const direct = chunk.length > SMALL_CHUNK_BYTES || this.#length === 0;
    this.#length += chunk.length;
    if (direct) {
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#endSpareView();
      return;
    }
    if (this.#spare === null || this.#spare.length - this.#spareUsed < chunk.length) {
      this.#spare = Buffer.allocUnsafeSlow(COALESCE_BUFFER_BYTES);
      this.#spareStart = 0;
      this.#spareUsed = 0;
      this.#spareLive = false;
    }
    // Bytes are only ever appended after #spareUsed, so views already handed
    // out by take() never change.
    this.#spare.set(chunk, this.#spareUsed);
    this.#spareUsed += chunk.length;
    const view = this.#spare.subarray(this.#spareStart, this.#spareUsed);
    // Widening the live view keeps its start, so #offset stays valid.
    if (this.#spareLive) this.#chunks[this.#chunks.length - 1] = view;
    else this.#chunks.push(view);
    this.#spareLive = true;
  }

  /** The byte at `index` from the front; the caller checks `index < length`. */
  byteAt(index: number): number {
    let position = this.#offset + index;
    for (let i = this.#first; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      if (position < chunk.length) return chunk[position]!;
      position -= chunk.length;
    }
    throw new RangeError(`byte ${index} is beyond the ${this.#length} queued bytes`);
  }

  /** Big-endian Int32 at `index`; used only for headers, so walking chunk by chunk is cheap. */
  int32At(index: number): number {
    return (
      ((this.byteAt(index) << 24) | (this.byteAt(index + 1) << 16) | (this.byteAt(index + 2) << 8) | this.byteAt(index + 3)) >> 0
    );
  }

  /** Removes and returns the first `count` bytes (the caller checks `count <= length`). */
  take(count: number): Buffer {
    const head = this.#chunks[this.#first];
    if (head === undefined || count > this.#length) throw new RangeError(`cannot take ${count} of ${this.#length} queued bytes`);
    let out: Buffer;
    if (head.length - this.#offset >= count) {
      out = head.subarray(this.#offset, this.#offset + count);
      this.#advance(count);
    } else {
      out = Buffer.allocUnsafe(count);
      let written = 0;
      while (written < count) {
        const chunk = this.#chunks[this.#first]!;
        const piece = Math.min(chunk.length - this.#offset, count - written);
        chunk.copy(out, written, this.#offset, this.#offset + piece);
        written += piece;
        this.#advance(piece);
      }
    }
    return out;
  }

  /** Drops everything held. */
  clear(): void {
    this.#chunks = [];
    this.#first = 0;
    this.#offset = 0;
    this.#length = 0;
    this.#spare = null;
    this.#spareLive = false;
  }

  /** The spare's current view stops growing; the next small chunk opens a new one after it. */
  #endSpareView(): void {
    this.#spareLive = false;
    this.#spareStart = this.#spareUsed;
  }

  #advance(count: number): void {
    this.#length -= count;
    this.#offset += count;
    const head = this.#chunks[this.#first]!;
    if (this.#offset < head.length) return;
    // A used-up spare view is the last chunk; later small chunks start a new view.
    if (this.#spareLive && this.#first === this.#chunks.length - 1) this.#endSpareView();
    this.#first++;
    this.#offset = 0;
    if (this.#first === this.#chunks.length) {
      this.#chunks = [];
      this.#first = 0;
    } else if (this.#first > 1024 && this.#first * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }
}
