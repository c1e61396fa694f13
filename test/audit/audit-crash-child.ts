/**
 * Child process of audit-crash.test.ts: appends audit events to the SQLite
 * store in the data directory given as argv[2], with many appends in flight
 * (as the gateway makes them), and prints the seq of every append whose
 * promise resolved, one per line, until it is killed. On stderr it reports
 * every time its event loop was held for more than half a second (a commit
 * waiting on the disk, e.g. the WAL checkpoint's fsync), so a slow run says
 * where its time went.
 */
import { AuditLog } from '../../src/audit/audit-log.ts';
import { openStore } from '../../src/store/open-store.ts';
import { systemClock } from '../../src/time/clock.ts';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: audit-crash-child.ts <data dir>');
const store = await openStore({ dataDir });
const log = new AuditLog({ store, clock: systemClock });
let next = 0;
let acknowledged = 0;
const STALL_MS = 500;
let lastTick = Date.now();
setInterval(() => {
  const now = Date.now();
  if (now - lastTick > STALL_MS) process.stderr.write(`event loop held ${now - lastTick} ms after ${acknowledged} acknowledged appends\n`);
  lastTick = now;
}, 100).unref();
let draining: Promise<void> | null = null;
/** One 'drain' listener however many appenders wait on it. */
const stdoutDrained = (): Promise<void> =>
  (draining ??= new Promise<void>((resolve) =>
    process.stdout.once('drain', () => {
      draining = null;
      resolve();
    }),
  ));
const appender = async (): Promise<void> => {
  for (;;) {
    const i = next++;
    const event = await log.append({
      code: 'STATEMENT_ALLOWED',
      actor: `c${i % 7}@vendor.example`,
      resource: 'db',
      subject: `ses_${i % 50}`,
      summary: `crashword${i} SELECT ${i}`,
      data: { i, session: `ses_${i % 50}` },
    });
    acknowledged++;
    // Backpressure: a parent that reads slowly holds the appenders back instead of this process's memory growing.
    if (!process.stdout.write(`${event.seq}\n`)) await stdoutDrained();
  }
};
await Promise.all(Array.from({ length: 200 }, appender));
