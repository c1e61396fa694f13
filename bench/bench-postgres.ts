/**
 * The local PostgreSQL (127.0.0.1:5432, trust auth) as the benchmarks use it:
 * a throwaway database per run and pgbench as a child process.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_HOST = '127.0.0.1';
export const PG_PORT = 5432;
export const PG_ADMIN_URL = `postgres://postgres@${PG_HOST}:${PG_PORT}/postgres`;

/** Runs one statement as the PostgreSQL superuser on a short-lived connection (CREATE/DROP DATABASE). */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh `stint_bench_<rand>` database; `drop()` removes it even with connections left open. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `stint_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    name,
    url: `postgres://postgres@${PG_HOST}:${PG_PORT}/${name}`,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion with a hard timeout; rejects on a non-zero exit. */
export function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

export interface LibpqTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export function libpqEnv(target: LibpqTarget): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGPASSWORD: target.password,
    PGDATABASE: target.database,
    PGSSLMODE: 'disable',
    PGCONNECT_TIMEOUT: '10',
  };
}

/** `pgbench -i -s <scale>` straight against PostgreSQL. */
export async function pgbenchInit(database: string, scale: number): Promise<void> {
  await run('pgbench', ['-i', '-q', '-s', String(scale)], libpqEnv({ host: PG_HOST, port: PG_PORT, user: 'postgres', password: '', database }), 120_000);
}

/** One select-only pgbench run; returns transactions per second (without connection time). */
export async function pgbenchSelect(target: LibpqTarget, options: { seconds: number; clients: number; threads: number; prepared: boolean }): Promise<number> {
  const args = ['-n', '-S', '-c', String(options.clients), '-j', String(options.threads), '-T', String(options.seconds), '-M', options.prepared ? 'prepared' : 'simple'];
  const { stdout } = await run('pgbench', args, libpqEnv(target), (options.seconds + 60) * 1000);
  // pgbench 15+ prints "tps = N (without initial connection time)"; older ones "(excluding connections establishing)".
  const match = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(stdout);
  if (match === null) throw new Error(`pgbench printed no tps:\n${stdout}`);
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  if (failed !== null && Number(failed[1]) > 0) throw new Error(`pgbench had failed transactions:\n${stdout}`);
  return Number(match[1]);
}
