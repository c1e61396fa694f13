/**
 * Statement classification (`classifySql`). Cold: a mix of statements, each
 * text seen once (different tables, columns and literals). Cached: a few
 * shapes repeated over and over, as a busy client sends them. There is no
 * classification cache yet, so "cached" measures what a repeat costs today.
 */
import { classifySql, loadSqlParser } from '../src/sql/classify-sql.ts';
import { median, round } from './bench-stats.ts';
import type { BenchOptions } from './decide-bench.ts';

const SHAPES: readonly ((i: number) => string)[] = [
  (i) => `SELECT abalance FROM pgbench_accounts WHERE aid = ${i}`,
  (i) => `SELECT o.id, o.total, c.email FROM orders_${i % 97} o JOIN customers c ON c.id = o.customer_id WHERE o.created_at > now() - interval '${i % 30} days' ORDER BY o.total DESC LIMIT 50`,
  (i) => `INSERT INTO events_${i % 13} (kind, payload, at) VALUES ('k${i}', '{"n": ${i}}', now())`,
  (i) => `UPDATE accounts SET balance = balance - ${i} WHERE id = ${i * 7} AND balance >= ${i}`,
  (i) => `DELETE FROM sessions WHERE expires_at < now() - interval '${i} seconds'`,
  (i) => `WITH recent AS (SELECT * FROM logins WHERE user_id = ${i}) SELECT count(*) FROM recent r JOIN devices d ON d.id = r.device_id`,
  (i) => `SELECT lower(name), coalesce(city_${i % 5}, 'none') FROM people WHERE id IN (${i}, ${i + 1}, ${i + 2})`,
  (i) => `BEGIN`.concat(i % 2 === 0 ? '' : ''),
  (i) => `CREATE TABLE IF NOT EXISTS tmp_${i} (id bigint primary key, note text)`,
  (i) => `SET statement_timeout = ${1000 + i}`,
];

function timeAll(statements: readonly string[]): number {
  let ok = 0;
  const start = process.hrtime.bigint();
  for (const text of statements) if (classifySql(text).ok) ok++;
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
  const unique = (offset: number): string[] => Array.from({ length: perRound }, (_, i) => SHAPES[i % SHAPES.length]!(offset + i));
  const repeated = Array.from({ length: perRound }, (_, i) => SHAPES[i % SHAPES.length]!(1));
  timeAll(unique(10_000_000)); // warm-up
  const cold: number[] = [];
  const cached: number[] = [];
  for (let r = 0; r < rounds; r++) {
    cold.push(timeAll(unique(r * perRound)));
    cached.push(timeAll(repeated));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { 'sql.classify_us.cold': round(median(cold), 2), 'sql.classify_us.cached': round(median(cached), 2) };
}
