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

/** Appends to aim for before the kill: many batches, past the first WAL checkpoint. */
const TARGET_APPENDS = 3_000;
/**
 * Alone the child reaches the target in about a second. On a machine whose
 * disk is saturated by other work, a commit that runs the WAL checkpoint can
 * wait on fsync for minutes (seen twice in full CI runs: under 2,000
 * acknowledgements after one and three minutes). The property under test holds
 * for any number of acknowledged appends, so past this point the child is
 * killed with what it has — mid-commit, quite possibly mid-checkpoint.
 */
const PATIENCE_MS = 60_000;
/** No acknowledgement at all by then means the child never got going. */
const GIVE_UP_MS = 170_000;

interface CrashRun {
  readonly acknowledged: number[];
  /** What the child said on stderr (event-loop stalls), for a run that did not reach the target. */
  readonly stderr: string;
}

/** Runs the appending child until it has acknowledged enough appends, then kill -9's it mid-stream. */
function appendThenKill(dataDir: string): Promise<CrashRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acknowledged: number[] = [];
    let partial = '';
    let stderr = '';
    let killed = false;
    let patienceOver = false;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      // Appends are in flight and a batch may be committing right now.
      child.kill('SIGKILL');
    };
    const patience = setTimeout(() => {
      patienceOver = true;
      if (acknowledged.length > 0) kill();
    }, PATIENCE_MS);
    const giveUp = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child acknowledged no append in ${GIVE_UP_MS / 1000} s\n${stderr}`));
    }, GIVE_UP_MS);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (killed) return;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) acknowledged.push(Number(line));
      if (acknowledged.length >= TARGET_APPENDS || patienceOver) kill();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(patience);
      clearTimeout(giveUp);
      if (signal === 'SIGKILL' && killed) resolve({ acknowledged, stderr });
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
    const { acknowledged, stderr } = await appendThenKill(dataDir);
    expect(acknowledged.length).toBeGreaterThan(0);
    if (acknowledged.length < TARGET_APPENDS) {
      process.stderr.write(`audit crash test: killed after ${acknowledged.length} of ${TARGET_APPENDS} appends (slow disk)\n${stderr}\n`);
    }

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
  }, 300_000);
});
