/**
 * pgbench `-S` (select-only), 8 clients, 2 threads, the same duration for
 * every contender: straight to PostgreSQL, through Stint, through PgBouncer
 * in session mode. Contenders take turns round by round and each figure is the
 * median of its rounds, so drift of the machine touches all of them alike.
 */
import { BENCH_CONTRACTOR, startBenchGateway } from './bench-gateway.ts';
import { createBenchDatabase, PG_HOST, PG_PORT, pgbenchInit, pgbenchSelect, type LibpqTarget } from './bench-postgres.ts';
import { startPgbouncer } from './bench-pgbouncer.ts';
import { interleave, median, round } from './bench-stats.ts';
import type { BenchOptions } from './decide-bench.ts';

const CLIENTS = 8;
const THREADS = 2;

export async function benchPgThroughput(options: BenchOptions = {}): Promise<Record<string, number>> {
  const quick = options.quick === true;
  const seconds = quick ? 3 : 10;
  const rounds = quick ? 2 : 5;
  const cleanup: (() => Promise<void>)[] = [];
  try {
    const db = await createBenchDatabase();
    cleanup.push(() => db.drop());
    await pgbenchInit(db.name, 1);
    const bouncer = await startPgbouncer(db.name, CLIENTS);
    cleanup.push(() => bouncer.stop());
    const gateway = await startBenchGateway({ database: db.name });
    cleanup.push(() => gateway.close());
    const { token } = await gateway.token();

    const targets: Record<'direct' | 'gateway' | 'pgbouncer', LibpqTarget> = {
      direct: { host: PG_HOST, port: PG_PORT, user: 'postgres', password: '', database: db.name },
      // The contractor's token is the password; the database is the resource name.
      gateway: { host: gateway.host, port: gateway.port, user: BENCH_CONTRACTOR, password: token, database: 'bench' },
      pgbouncer: { host: bouncer.host, port: bouncer.port, user: 'postgres', password: '', database: db.name },
    };
    const runOne = (target: LibpqTarget, prepared: boolean) => () => pgbenchSelect(target, { seconds, clients: CLIENTS, threads: THREADS, prepared });
    const samples = await interleave(rounds, {
      direct: runOne(targets.direct, false),
      gateway: runOne(targets.gateway, false),
      pgbouncer: runOne(targets.pgbouncer, false),
      direct_prepared: runOne(targets.direct, true),
      gateway_prepared: runOne(targets.gateway, true),
      pgbouncer_prepared: runOne(targets.pgbouncer, true),
    });
    const tps = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)])) as Record<keyof typeof samples, number>;
    return {
      'pg.tps.direct': round(tps.direct, 0),
      'pg.tps.gateway': round(tps.gateway, 0),
      'pg.tps.pgbouncer': round(tps.pgbouncer, 0),
      'pg.tps.direct_prepared': round(tps.direct_prepared, 0),
      'pg.tps.gateway_prepared': round(tps.gateway_prepared, 0),
      'pg.tps.pgbouncer_prepared': round(tps.pgbouncer_prepared, 0),
      'pg.tps.ratio_gateway_pgbouncer': round(tps.gateway / tps.pgbouncer, 3),
      'pg.tps.ratio_gateway_pgbouncer_prepared': round(tps.gateway_prepared / tps.pgbouncer_prepared, 3),
    };
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}
