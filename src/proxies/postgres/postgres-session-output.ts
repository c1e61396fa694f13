/**
 * Collects the messages relayed from one read so they go out in as few
 * writes as possible. Messages that lie back to back in the chunk they were
 * read from (the usual case: a run of DataRows) are merged into one view of
 * that chunk, so relaying them copies nothing.
 */
export class OutputBatch {
  #parts: Buffer[] = [];
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  get empty(): boolean {
    return this.#parts.length === 0;
  }

  add(part: Buffer): void {
    if (part.length === 0) return;
    this.#bytes += part.length;
    const last = this.#parts[this.#parts.length - 1];
    if (last !== undefined && last.buffer === part.buffer && last.byteOffset + last.length === part.byteOffset) {
      this.#parts[this.#parts.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + part.length);
      return;
    }
    this.#parts.push(part);
  }

  /** Writes everything collected through `sink` and empties the batch; returns false when the sink asked to wait. */
  flush(sink: { write(bytes: Buffer): boolean; cork(): void; uncork(): void }): boolean {
    const parts = this.#parts;
    if (parts.length === 0) return true;
    this.#parts = [];
    this.#bytes = 0;
    if (parts.length === 1) return sink.write(parts[0]!);
    let ok = true;
    sink.cork();
    for (const part of parts) ok = sink.write(part) && ok;
    sink.uncork();
    return ok;
  }
}
