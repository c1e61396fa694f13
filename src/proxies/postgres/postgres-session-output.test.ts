import { describe, expect, it } from 'vitest';
import { OutputBatch } from './postgres-session-output.ts';

class Sink {
  readonly writes: Buffer[] = [];
  corked = 0;
  constructor(readonly accept = true) {}
  write(bytes: Buffer): boolean {
    this.writes.push(Buffer.from(bytes));
    return this.accept;
  }
  cork(): void {
    this.corked += 1;
  }
  uncork(): void {}
}

describe('OutputBatch', () => {
  it('merges views that lie back to back in one chunk into one write', () => {
    const chunk = Buffer.from('aaabbbccc');
    const batch = new OutputBatch();
    batch.add(chunk.subarray(0, 3));
    batch.add(chunk.subarray(3, 6));
    batch.add(chunk.subarray(6, 9));
    expect(batch.bytes).toBe(9);
    const sink = new Sink();
    expect(batch.flush(sink)).toBe(true);
    expect(sink.writes.map(String)).toEqual(['aaabbbccc']);
    expect(sink.corked).toBe(0);
    expect(batch.empty).toBe(true);
  });

  it('writes separate buffers corked, in order, and reports backpressure', () => {
    const batch = new OutputBatch();
    batch.add(Buffer.alloc(3, 'one'));
    batch.add(Buffer.alloc(0));
    batch.add(Buffer.alloc(3, 'two'));
    const sink = new Sink(false);
    expect(batch.flush(sink)).toBe(false);
    expect(sink.writes.map(String)).toEqual(['one', 'two']);
    expect(sink.corked).toBe(1);
  });
});
