/**
 * Child process of audit-crash.test.ts: appends audit events to the SQLite
 * store in the data directory given as argv[2], with many appends in flight
 * (as the gateway makes them), and prints the seq of every append whose
 * promise resolved, one per line, until it is killed.
 */
import { AuditLog } from '../../src/audit/audit-log.ts';
import { openStore } from '../../src/store/open-store.ts';
import { systemClock } from '../../src/time/clock.ts';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: audit-crash-child.ts <data dir>');
const store = await openStore({ dataDir });
const log = new AuditLog({ store, clock: systemClock });
let next = 0;
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
    process.stdout.write(`${event.seq}\n`);
  }
};
await Promise.all(Array.from({ length: 200 }, appender));
