import { describe, expect, it } from 'vitest';
import { interleave, median, percentile } from './bench-stats.ts';

describe('percentile', () => {
  it('takes the nearest rank of the sorted sample, whatever the input order', () => {
    const values = [50, 10, 40, 20, 30, 100, 90, 60, 80, 70];
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 90)).toBe(90);
    expect(percentile(values, 99)).toBe(100);
    expect(percentile(values, 0)).toBe(10);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('refuses an empty sample instead of inventing a figure', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
  });
});

describe('interleave', () => {
  it('runs the contenders round by round in a fixed order', async () => {
    const order: string[] = [];
    const contender = (name: string, value: number) => () => {
      order.push(name);
      return Promise.resolve(value + order.length);
    };
    const samples = await interleave(3, { a: contender('a', 0), b: contender('b', 100), c: contender('c', 200) });
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    expect(samples).toEqual({ a: [1, 4, 7], b: [102, 105, 108], c: [203, 206, 209] });
  });
});
