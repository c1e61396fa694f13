/**
 * Many idle gateway sessions held by node-postgres clients, each remembering
 * the instant its connection closed (the client's 'end' event: the socket
 * closed at the client).
 */
import pg from 'pg';
import { BENCH_CONTRACTOR } from './bench-gateway.ts';

export interface HeldSession {
  readonly client: pg.Client;
  /** Resolves with Date.now() when the connection closed. */
  readonly closed: Promise<number>;
  /** Resolves with performance.now() when the connection closed. */
  readonly closedPerf: Promise<number>;
}

export async function openSession(port: number, token: string, resource: string): Promise<HeldSession> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: BENCH_CONTRACTOR, password: token, database: resource });
  // The gateway ends sessions with a FATAL error before closing; that is the expected outcome here.
  client.on('error', () => undefined);
  let resolveWall: (at: number) => void = () => undefined;
  let resolvePerf: (at: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (resolveWall = resolve));
  const closedPerf = new Promise<number>((resolve) => (resolvePerf = resolve));
  client.on('end', () => {
    resolvePerf(performance.now());
    resolveWall(Date.now());
  });
  await client.connect();
  return { client, closed, closedPerf };
}

/** Runs `task(i)` for i in 0..count-1 with at most `concurrency` in flight; results in index order. */
export async function pooled<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Ends every client still open, ignoring errors (the gateway may have closed them already). */
export async function endAll(sessions: readonly HeldSession[]): Promise<void> {
  await Promise.all(sessions.map((session) => session.client.end().catch(() => undefined)));
}
