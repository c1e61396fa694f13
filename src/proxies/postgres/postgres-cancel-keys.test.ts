import { describe, expect, it } from 'vitest';
import { CancelKeys } from './postgres-cancel-keys.ts';

describe('CancelKeys', () => {
  it('issues distinct positive pids with 4-byte secrets and finds the owner only with the exact secret', () => {
    const keys = new CancelKeys<string>();
    const issued = Array.from({ length: 200 }, (_, i) => ({ owner: `s${i}`, key: keys.issue(`s${i}`) }));
    expect(new Set(issued.map(({ key }) => key.pid)).size).toBe(200);
    for (const { owner, key } of issued) {
      expect(key.pid).toBeGreaterThan(0);
      expect(key.pid).toBeLessThanOrEqual(0x7fffffff);
      expect(key.secretKey).toHaveLength(4);
      expect(keys.find(key.pid, key.secretKey)).toBe(owner);
      const wrong = Buffer.from(key.secretKey);
      wrong[3] = wrong[3]! ^ 1;
      expect(keys.find(key.pid, wrong)).toBeUndefined();
      expect(keys.find(key.pid, Buffer.concat([key.secretKey, Buffer.alloc(1)]))).toBeUndefined();
    }
  });

  it('forgets a released key', () => {
    const keys = new CancelKeys<string>();
    const key = keys.issue('a');
    keys.release(key.pid);
    expect(keys.find(key.pid, key.secretKey)).toBeUndefined();
    expect(keys.size).toBe(0);
  });
});
