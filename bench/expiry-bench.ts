/**
 * How late sessions end. Expiry: many live sessions whose tokens expire
 * staggered over a few seconds; lag = socket closed at the client − the
 * token's expiry instant. Revoke: tokens revoked over the API, one every few
 * tens of ms; lag = socket closed − the moment the revoke request was sent.
 * Sessions run against a PgBouncer in transaction mode, so a thousand idle
 * sessions fit in PostgreSQL's 100 connections.
 */
import { startBenchGateway, type IssuedToken } from './bench-gateway.ts';
import { createBenchDatabase } from './bench-postgres.ts';
import { startPgbouncer } from './bench-pgbouncer.ts';
import { endAll, openSession, pooled, type HeldSession } from './bench-sessions.ts';
import { percentile, round, sleep } from './bench-stats.ts';
import type { BenchOptions } from './decide-bench.ts';

/** Whole seconds (the API's token lifetimes are whole seconds) added per session, so expiries spread out. */
const STAGGER_SECONDS = 5;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function benchSessionEnds(options: BenchOptions = {}): Promise<Record<string, number>> {
  const quick = options.quick === true;
  const count = quick ? 200 : 1_000;
  const revokes = quick ? 40 : 100;
  // Long enough that every session is open before the first expiry.
  const baseTtlSeconds = quick ? 10 : 30;
  const cleanup: (() => Promise<void>)[] = [];
  const held: HeldSession[] = [];
  cleanup.push(() => endAll(held));
  try {
    const db = await createBenchDatabase();
    cleanup.push(() => db.drop());
    const bouncer = await startPgbouncer(db.name, count + revokes, 'transaction');
    cleanup.push(() => bouncer.stop());
    const gateway = await startBenchGateway({ database: db.name, pool: { host: bouncer.host, port: bouncer.port, database: db.name } });
    cleanup.push(() => gateway.close());

    // Expiry.
    const tokens: IssuedToken[] = await pooled(count, 16, (i) => gateway.token(`${baseTtlSeconds + (i % STAGGER_SECONDS)}s`));
    const sessions = await pooled(count, 16, (i) => openSession(gateway.port, tokens[i]!.token, 'pool'));
    held.push(...sessions);
    const firstExpiry = Math.min(...tokens.map((t) => t.expiresAt ?? Infinity));
    if (Date.now() >= firstExpiry) throw new Error('sessions took longer to open than the shortest token lifetime; raise baseTtlSeconds');
    const closedAt = await withTimeout(Promise.all(sessions.map((s) => s.closed)), (baseTtlSeconds + STAGGER_SECONDS + 15) * 1000, 'every expiry');
    const expiryLag = closedAt.map((at, i) => at - tokens[i]!.expiresAt!);

    // Revoke.
    const revokeTokens = await pooled(revokes, 8, () => gateway.token());
    const revokeSessions = await pooled(revokes, 8, (i) => openSession(gateway.port, revokeTokens[i]!.token, 'pool'));
    held.push(...revokeSessions);
    const revokeLag: Promise<number>[] = [];
    for (let i = 0; i < revokes; i++) {
      const sentAt = performance.now();
      const request = gateway.revoke(revokeTokens[i]!.id);
      revokeLag.push(request.then(() => revokeSessions[i]!.closedPerf).then((at) => at - sentAt));
      // Spread the revokes over the gateway's poll cycle instead of landing them all in one tick.
      await sleep(37);
    }
    const revokeLagMs = await withTimeout(Promise.all(revokeLag), 30_000, 'every revoke');

    return {
      'expiry.sessions': count,
      'expiry.lag_ms.p50': round(percentile(expiryLag, 50)),
      'expiry.lag_ms.p99': round(percentile(expiryLag, 99)),
      'expiry.lag_ms.max': round(Math.max(...expiryLag)),
      'expiry.lag_ms.min': round(Math.min(...expiryLag)),
      'revoke.lag_ms.p50': round(percentile(revokeLagMs, 50)),
      'revoke.lag_ms.p99': round(percentile(revokeLagMs, 99)),
    };
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}
