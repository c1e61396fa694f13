/**
 * Statement classification. Cold: a mix of statements, each text seen once,
 * classified by the parser (`classifySqlFresh`, no cache). Cached: the same
 * shapes with new literals every time (ids, amounts, strings), as a busy
 * client sends them, through `classifySql` and its classification cache.
 * One shape in the mix (SET statement_timeout = n) carries its value in the
 * classification, so it is classified afresh every time by design.
 */
import { classificationCache, classifySql, classifySqlFresh, loadSqlParser } from '../src/sql/classify-sql.ts';
import type { Classification } from '../src/sql/sql-types.ts';
import { median, round } from './bench-stats.ts';
import type { BenchOptions } from './decide-bench.ts';

/** `i` varies literals; `t` varies identifiers (a new shape). */
const SHAPES: readonly ((i: number, t: number) => string)[] = [
  (i) => `SELECT abalance FROM pgbench_accounts WHERE aid = ${i}`,
  (i, t) => `SELECT o.id, o.total, c.email FROM orders_${t % 97} o JOIN customers c ON c.id = o.customer_id WHERE o.created_at > now() - interval '${i % 30} days' ORDER BY o.total DESC LIMIT 50`,
  (i, t) => `INSERT INTO events_${t % 13} (kind, payload, at) VALUES ('k${i}', '{"n": ${i}}', now())`,
  (i) => `UPDATE accounts SET balance = balance - ${i} WHERE id = ${i * 7} AND balance >= ${i}`,
  (i) => `DELETE FROM sessions WHERE expires_at < now() - interval '${i} seconds'`,
  (i) => `WITH recent AS (SELECT * FROM logins WHERE user_id = ${i}) SELECT count(*) FROM recent r JOIN devices d ON d.id = r.device_id`,
  (i, t) => `SELECT lower(name), coalesce(city_${t % 5}, 'none') FROM people WHERE id IN (${i}, ${i + 1}, ${i + 2})`,
  () => 'BEGIN',
  (_i, t) => `CREATE TABLE IF NOT EXISTS tmp_${t} (id bigint primary key, note text)`,
  (i) => `SET statement_timeout = ${1000 + i}`,
];

function timeAll(statements: readonly string[], classify: (sql: string) => Classification): number {
  let ok = 0;
  const start = process.hrtime.bigint();
  for (const text of statements) if (classify(text).ok) ok++;
  const ns = Number(process.hrtime.bigint() - start);
  // Every statement in the mix is valid SQL; a failure means the bench measures the error path.
  if (ok !== statements.length) throw new Error(`only ${ok} of ${statements.length} statements classified`);
  return ns / statements.length / 1000;
}

export async function benchClassify(options: BenchOptions = {}): Promise<Record<string, number>> {
  await loadSqlParser();
  const quick = options.quick === true;
  const perRound = quick ? 5_000 : 20_000;
  const rounds = quick ? 3 : 7;
  const unique = (offset: number): string[] => Array.from({ length: perRound }, (_, i) => SHAPES[i % SHAPES.length]!(offset + i, offset + i));
  const repeated = (offset: number): string[] => Array.from({ length: perRound }, (_, i) => SHAPES[i % SHAPES.length]!(offset + i, 1));
  // The nine shapes whose classification reads no literal: what a cache hit itself costs.
  const sharing = SHAPES.slice(0, -1);
  const hitting = (offset: number): string[] => Array.from({ length: perRound }, (_, i) => sharing[i % sharing.length]!(offset + i, 1));
  timeAll(unique(10_000_000), classifySqlFresh); // warm-up
  classificationCache.clear();
  timeAll(repeated(20_000_000), classifySql); // fills the cache with the ten shapes
  const cold: number[] = [];
  const cached: number[] = [];
  const hits: number[] = [];
  for (let r = 0; r < rounds; r++) {
    cold.push(timeAll(unique(r * perRound), classifySqlFresh));
    cached.push(timeAll(repeated(r * perRound), classifySql));
    hits.push(timeAll(hitting(r * perRound), classifySql));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const stats = classificationCache.stats();
  return {
    'sql.classify_us.cold': round(median(cold), 2),
    'sql.classify_us.cached': round(median(cached), 2),
    'sql.classify_us.hit': round(median(hits), 2),
    'sql.classify_cache.hit_ratio': round(stats.hits / Math.max(1, stats.hits + stats.misses), 3),
  };
}
