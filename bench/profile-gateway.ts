/**
 * `node --cpu-prof --cpu-prof-dir <dir> --import tsx bench/profile-gateway.ts [seconds] [clients]`:
 * a bench gateway in this process (so the profile covers it) under pgbench -S
 * with 8 clients (simple, then prepared) and with 1 client, or only with the
 * given client count (simple). Summarise the profile with
 * `node --import tsx bench/cpuprofile-top.ts <file>.cpuprofile`.
 */
import { BENCH_CONTRACTOR, startBenchGateway } from './bench-gateway.ts';
import { createBenchDatabase, pgbenchInit, pgbenchSelect } from './bench-postgres.ts';

const seconds = Number(process.argv[2] ?? 10);
const only = process.argv[3] === undefined ? null : Number(process.argv[3]);
const runs: readonly (readonly [number, boolean])[] = only === null ? [[8, false], [8, true], [1, false]] : [[only, false]];
const db = await createBenchDatabase();
try {
  await pgbenchInit(db.name, 1);
  const gateway = await startBenchGateway({ database: db.name });
  try {
    const { token } = await gateway.token();
    const target = { host: gateway.host, port: gateway.port, user: BENCH_CONTRACTOR, password: token, database: 'bench' };
    for (const [clients, prepared] of runs) {
      const tps = await pgbenchSelect(target, { seconds, clients, threads: Math.min(clients, 2), prepared });
      process.stdout.write(`clients ${clients} ${prepared ? 'prepared' : 'simple'}: ${tps.toFixed(0)} tps\n`);
    }
  } finally {
    await gateway.close();
  }
} finally {
  await db.drop();
}
