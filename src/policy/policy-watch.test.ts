import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PolicyWatcher, watchPolicyPath } from './policy-watch.ts';

const DEBOUNCE_MS = 50;
/** Long enough for the OS to deliver events and the debounce to settle; short enough to keep the suite quick. */
const SETTLE_MS = 400;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts onChange calls and waits (bounded) for the next one. */
class ChangeCounter {
  count = 0;
  #waiters: (() => void)[] = [];

  readonly onChange = (): void => {
    this.count += 1;
    for (const wake of this.#waiters.splice(0)) wake();
  };

  async next(timeoutMs = 3_000): Promise<void> {
    const before = this.count;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no change reported within ${String(timeoutMs)} ms`));
      }, timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(this.count).toBeGreaterThan(before);
  }
}

describe('watchPolicyPath', () => {
  let dir: string;
  let watcher: PolicyWatcher | undefined;
  let changes: ChangeCounter;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stint-watch-'));
    changes = new ChangeCounter();
  });
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires when a watched file is written in place', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'version: 1\n');
    watcher = watchPolicyPath(file, changes.onChange, { debounceMs: DEBOUNCE_MS });
    await sleep(50);
    const next = changes.next();
    writeFileSync(file, 'version: 1\nroles: {}\n');
    await next;
  });

  it('keeps firing after an editor replaces the file by renaming a new one over it', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'version: 1\n');
    watcher = watchPolicyPath(file, changes.onChange, { debounceMs: DEBOUNCE_MS });
    await sleep(50);
    let next = changes.next();
    writeFileSync(join(dir, '.policy.yaml.tmp'), 'version: 1\n# saved\n');
    renameSync(join(dir, '.policy.yaml.tmp'), file);
    await next;
    await sleep(SETTLE_MS);
    next = changes.next();
    writeFileSync(file, 'version: 1\n# saved again, in place\n');
    await next;
  });

  it('ignores other files next to a watched file', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'version: 1\n');
    watcher = watchPolicyPath(file, changes.onChange, { debounceMs: DEBOUNCE_MS });
    await sleep(50);
    writeFileSync(join(dir, 'notes.txt'), 'unrelated');
    await sleep(SETTLE_MS);
    expect(changes.count).toBe(0);
  });

  it('fires for a file in a subdirectory of a watched directory, and for a new file', async () => {
    mkdirSync(join(dir, 'roles'));
    writeFileSync(join(dir, 'roles', 'roles.yaml'), 'version: 1\n');
    watcher = watchPolicyPath(dir, changes.onChange, { debounceMs: DEBOUNCE_MS });
    await sleep(50);
    let next = changes.next();
    writeFileSync(join(dir, 'roles', 'roles.yaml'), 'version: 1\nroles: {}\n');
    await next;
    next = changes.next();
    writeFileSync(join(dir, 'staff.yaml'), 'version: 1\n');
    await next;
  });

  it('collapses a burst of writes into one call', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'version: 1\n');
    watcher = watchPolicyPath(dir, changes.onChange, { debounceMs: 150 });
    await sleep(50);
    for (let i = 0; i < 5; i++) {
      writeFileSync(file, `version: 1\n# ${String(i)}\n`);
      await sleep(10);
    }
    await sleep(SETTLE_MS + 150);
    expect(changes.count).toBe(1);
  });

  it('stops after close, including a change still in its debounce window', async () => {
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, 'version: 1\n');
    watcher = watchPolicyPath(file, changes.onChange, { debounceMs: 200 });
    await sleep(50);
    writeFileSync(file, 'version: 1\n# pending\n');
    await sleep(50);
    watcher.close();
    writeFileSync(file, 'version: 1\n# after close\n');
    await sleep(SETTLE_MS);
    expect(changes.count).toBe(0);
  });
});
