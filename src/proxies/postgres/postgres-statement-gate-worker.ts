import { parentPort } from 'node:worker_threads';
import { classifySql, loadSqlParser } from '../../sql/classify-sql.ts';
import type { Classification } from '../../sql/sql-types.ts';

/**
 * Worker thread entry: classifies SQL texts too large to parse on the
 * gateway's event loop (see postgres-statement-gate-offload.ts).
 */

if (parentPort === null) throw new Error('postgres-statement-gate-worker.ts runs only as a worker thread');
const port = parentPort;
await loadSqlParser();
port.on('message', (request: { readonly id: number; readonly sql: string }) => {
  let result: Classification;
  try {
    result = classifySql(request.sql);
  } catch (error) {
    result = { ok: false, error: `the statement could not be classified: ${error instanceof Error ? error.message : String(error)}` };
  }
  port.postMessage({ id: request.id, result });
});
port.postMessage({ ready: true });
