/**
 * Child process of audit-crash.test.ts: appends audit events to the SQLite
 * store in the data directory given as argv[2], with many appends in flight
 * (as the gateway makes them), and writes the seq of every append whose
 * promise resolved, one per line, to the file given as argv[3], until it is
 * killed. A file written synchronously rather than stdout: through the pipe
 * the parent sometimes stopped hearing acknowledgements while this process
 * went on appending (see PATIENCE_MS in the test). On stderr it reports every
 * time its event loop was held for more than half a second, so a slow run
 * says where its time went. It stops by itself after MAX_APPENDS or
 * MAX_RUN_MS, should nobody kill it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { openStore } from '../../src/store/open-store.ts';
import { systemClock } from '../../src/time/clock.ts';

const MAX_APPENDS = 200_000;
const MAX_RUN_MS = 300_000;
const STALL_MS = 500;

const [dataDir, ackFile] = process.argv.slice(2);
if (dataDir === undefined || ackFile === undefined) throw new Error('usage: audit-crash-child.ts <data dir> <ack file>');
const store = await openStore({ dataDir });
const log = new AuditLog({ store, clock: systemClock });
const acks = openSync(ackFile, 'a');
const deadline = Date.now() + MAX_RUN_MS;
let next = 0;
let acknowledged = 0;

let lastTick = Date.now();
setInterval(() => {
  const now = Date.now();
  if (now - lastTick > STALL_MS) process.stderr.write(`event loop held ${now - lastTick} ms after ${acknowledged} acknowledged appends\n`);
  lastTick = now;
}, 100).unref();

const appender = async (): Promise<void> => {
  while (next < MAX_APPENDS && Date.now() < deadline) {
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
    // One whole line per write: a kill between writes leaves complete lines only.
    writeSync(acks, `${event.seq}\n`);
  }
};
await Promise.all(Array.from({ length: 200 }, appender));
closeSync(acks);
process.stderr.write(`stopped by itself after ${acknowledged} appends: nobody killed it\n`);
process.exit(3);
