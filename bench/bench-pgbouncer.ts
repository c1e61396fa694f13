/**
 * A private PgBouncer for the comparison: session mode, its own port, ini and
 * userlist in a temp dir, trust auth towards the local trust PostgreSQL.
 * Started as a child process in the foreground and stopped by its pid.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PG_HOST, PG_PORT } from './bench-postgres.ts';
import { sleep } from './bench-stats.ts';

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

const ENSURE_SCRIPT = resolve(import.meta.dirname, '../scripts/ensure-pgbouncer.sh');

export function pgbouncerPath(): string | null {
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** The pgbouncer binary, installing the Debian package first when it is missing. */
function ensurePgbouncer(): string | null {
  const found = pgbouncerPath();
  if (found !== null) return found;
  execFileSync('bash', [ENSURE_SCRIPT], { stdio: 'inherit', timeout: 300_000 });
  return pgbouncerPath();
}

/** A port free right now on loopback (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RunningPgbouncer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * `session` mode is the comparison contender. `transaction` mode lets many idle
 * gateway sessions share a few server connections, so the session benchmarks
 * can hold 1,000 sessions against a PostgreSQL limited to 100 connections.
 */
export async function startPgbouncer(database: string, maxClients: number, mode: 'session' | 'transaction' = 'session'): Promise<RunningPgbouncer> {
  const binary = ensurePgbouncer();
  if (binary === null) throw new Error('pgbouncer is not installed and scripts/ensure-pgbouncer.sh could not install it');
  const dir = mkdtempSync(join(tmpdir(), 'stint-bench-pgbouncer-'));
  // pgbouncer refuses to run as root; it then switches to `postgres`, which must read these files.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const ini = [
    '[databases]',
    `${database} = host=${PG_HOST} port=${PG_PORT} dbname=${database} user=postgres`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    `pool_mode = ${mode}`,
    // The gateway asks for default_transaction_read_only on read-only sessions; PgBouncer refuses unknown
    // startup parameters, and the benchmarks measure the gateway, not that setting.
    'ignore_startup_parameters = extra_float_digits,options,search_path,default_transaction_read_only',
    `max_client_conn = ${maxClients + 10}`,
    `default_pool_size = ${mode === 'session' ? maxClients + 2 : 10}`,
    'log_connections = 0',
    'log_disconnections = 0',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'pgbouncer.ini'), ini, { mode: 0o644 });
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n', { mode: 0o644 });
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', join(dir, 'pgbouncer.ini')] : [join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await canConnect(port)) return { host: '127.0.0.1', port, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`pgbouncer did not start on port ${port}:\n${stderr}`);
}
