import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { searchAuditEvents } from '../../src/audit/audit-search.ts';
import { verifyAuditLog } from '../../src/audit/audit-verify.ts';
import { openStore } from '../../src/store/open-store.ts';
import { ManualClock } from '../../src/time/clock.ts';

const CHILD = new URL('./audit-crash-child.ts', import.meta.url).pathname;

/** Runs the appending child until it has acknowledged `count` appends, then kill -9's it; returns the acknowledged seqs. */
function appendThenKill(dataDir: string, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: number[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    // Alone this takes about a second; inside the full suite, with other files creating databases and
    // fsyncing, the child has been seen at under 2,000 acknowledgements after a minute.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child acknowledged only ${acknowledged.length} appends in time\n${stderr}`));
    }, 180_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (killed) return;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) acknowledged.push(Number(line));
      if (acknowledged.length >= count) {
        killed = true;
        // Mid-stream: appends are in flight and a batch may be committing right now.
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killed) resolve(acknowledged);
      else reject(new Error(`the child exited on its own (code ${code}, signal ${signal})\n${stderr}`));
    });
  });
}

describe('audit log after kill -9 (SQLite, synchronous=NORMAL)', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it('keeps a valid chain holding every event whose append resolved, and search catches up', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'stint-audit-crash-'));
    const acknowledged = await appendThenKill(dataDir, 3_000);
    expect(acknowledged.length).toBeGreaterThanOrEqual(3_000);

    const store = await openStore({ dataDir });
    try {
      const report = await verifyAuditLog(store);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      const max = Math.max(...acknowledged);
      expect(report.lastSeq).toBeGreaterThanOrEqual(max);
      const present = new Set((await store.db.selectFrom('audit_events').select('seq').execute()).map((row) => row.seq));
      expect(acknowledged.filter((seq) => !present.has(seq))).toEqual([]);

      // Full-text rows the kill kept from being written are written by the next writer on this store.
      const log = new AuditLog({ store, clock: new ManualClock() });
      await log.append({ code: 'SERVER_STARTED', actor: 'system:test', summary: 'after the crash', data: {} });
      const last = await store.db.selectFrom('audit_events').select('summary').where('seq', '=', max).executeTakeFirstOrThrow();
      const word = last.summary.split(' ')[0] ?? '';
      expect(word).toMatch(/^crashword\d+$/);
      const found = await searchAuditEvents(store, { text: word });
      expect(found.events.map((event) => event.seq)).toEqual([max]);
      await log.close();
    } finally {
      await store.close();
    }
  }, 240_000);
});
