/**
 * Latency the gateway adds to one statement: one node-postgres client, simple
 * `SELECT 1` round trips, batches alternating direct / gateway, every
 * statement timed on its own. Added = gateway percentile − direct percentile.
 */
import pg from 'pg';
import { BENCH_CONTRACTOR, startBenchGateway } from './bench-gateway.ts';
import { createBenchDatabase, PG_HOST, PG_PORT } from './bench-postgres.ts';
import { percentile, round } from './bench-stats.ts';
import type { BenchOptions } from './decide-bench.ts';

async function batch(client: pg.Client, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await client.query('SELECT 1');
    into.push(Number(process.hrtime.bigint() - start) / 1000);
  }
}

export async function benchPgLatency(options: BenchOptions = {}): Promise<Record<string, number>> {
  const quick = options.quick === true;
  const batches = quick ? 10 : 40;
  const perBatch = 500;
  const cleanup: (() => Promise<void>)[] = [];
  try {
    const db = await createBenchDatabase();
    cleanup.push(() => db.drop());
    const gateway = await startBenchGateway({ database: db.name });
    cleanup.push(() => gateway.close());
    const { token } = await gateway.token();
    const direct = new pg.Client({ host: PG_HOST, port: PG_PORT, user: 'postgres', database: db.name });
    const through = new pg.Client({ host: gateway.host, port: gateway.port, user: BENCH_CONTRACTOR, password: token, database: 'bench' });
    await direct.connect();
    cleanup.push(() => direct.end());
    await through.connect();
    cleanup.push(() => through.end());
    // Warm-up: JIT, caches, the first audit batches.
    await batch(direct, 200, []);
    await batch(through, 200, []);
    const directUs: number[] = [];
    const gatewayUs: number[] = [];
    for (let b = 0; b < batches; b++) {
      await batch(direct, perBatch, directUs);
      await batch(through, perBatch, gatewayUs);
    }
    return {
      'pg.latency_us.direct.p50': round(percentile(directUs, 50)),
      'pg.latency_us.gateway.p50': round(percentile(gatewayUs, 50)),
      'pg.latency_added_us.p50': round(percentile(gatewayUs, 50) - percentile(directUs, 50)),
      'pg.latency_added_us.p99': round(percentile(gatewayUs, 99) - percentile(directUs, 99)),
    };
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}
