/**
 * Gateway memory: `bin/stint serve` as a child process, from the prebuilt
 * bundle as `npm start` runs it (SQLite store, the
 * PostgreSQL listener on), VmRSS from /proc/<pid>/status at rest, then again
 * after opening idle sessions. Sessions run against a PgBouncer in
 * transaction mode so hundreds fit in PostgreSQL's connection limit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_CONTRACTOR, policyYaml } from './bench-gateway.ts';
import { createBenchDatabase } from './bench-postgres.ts';
import { startPgbouncer } from './bench-pgbouncer.ts';
import { endAll, openSession, pooled, type HeldSession } from './bench-sessions.ts';
import { round, sleep } from './bench-stats.ts';
import type { BenchOptions } from './decide-bench.ts';

const ROOT = resolve(import.meta.dirname, '..');
const STINT_BIN = join(ROOT, 'bin/stint');

/**
 * Builds the server bundle when it is missing or stale, as `npm start` does,
 * so the figure is that of the gateway users run (ADR 0010);
 * STINT_RUN_SOURCES=1 measures the tsx fallback instead. Returns 1 when
 * bin/stint will run the bundle.
 */
function prepareBundle(): number {
  if (process.env.STINT_RUN_SOURCES === '1') return 0;
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/server-bundle.mjs'), 'if-stale'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the server bundle failed:\n${build.stderr}`);
  return 1;
}

function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

interface Serve {
  readonly child: ChildProcess;
  readonly apiUrl: string;
  readonly adminToken: string;
  readonly postgresPort: number;
}

function startServe(configPath: string, dataDir: string): Promise<Serve> {
  const child = spawn(process.execPath, [STINT_BIN, 'serve', '--config', configPath, '--data', dataDir, '--listen-api', '127.0.0.1:0', '--listen-postgres', '127.0.0.1:0', '--no-watch'], {
    env: { ...process.env, STINT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const fail = (message: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}:\n${stdout}\n${stderr}`));
    };
    const timer = setTimeout(() => fail('serve did not start in 30 s'), 30_000);
    child.once('exit', (code) => fail(`serve exited with ${String(code)}`));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const apiUrl = /serving on (http:\/\/\S+) /.exec(stdout)?.[1];
      const adminToken = /STINT_TOKEN=(stint_\S+)/.exec(stdout)?.[1];
      const port = /PostgreSQL gateway on \S+:(\d+) /.exec(stdout)?.[1];
      if (apiUrl !== undefined && adminToken !== undefined && port !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolvePromise({ child, apiUrl, adminToken, postgresPort: Number(port) });
      }
    });
  });
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function benchGatewayMemory(options: BenchOptions = {}): Promise<Record<string, number>> {
  const sessions = options.quick === true ? 200 : 1_000;
  const cleanup: (() => Promise<void>)[] = [];
  const held: HeldSession[] = [];
  try {
    const db = await createBenchDatabase();
    cleanup.push(() => db.drop());
    const bouncer = await startPgbouncer(db.name, sessions, 'transaction');
    cleanup.push(() => bouncer.stop());
    const root = mkdtempSync(join(tmpdir(), 'stint-bench-rss-'));
    cleanup.push(() => Promise.resolve(rmSync(root, { recursive: true, force: true })));
    const configPath = join(root, 'policy.yaml');
    writeFileSync(configPath, policyYaml({ database: db.name, pool: { host: bouncer.host, port: bouncer.port, database: db.name } }));
    const fromBundle = prepareBundle();
    const serve = await startServe(configPath, join(root, 'data'));
    cleanup.push(() => stopServe(serve.child));
    cleanup.push(() => endAll(held));
    const pid = serve.child.pid!;

    // At rest: started, policy applied, nothing connected; let startup garbage settle.
    await sleep(3_000);
    const idleKb = rssKb(pid);
    const response = await fetch(`${serve.apiUrl}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ for: BENCH_CONTRACTOR }),
    });
    if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    // One session first, so one-off costs (first upstream connection, code paths) are not charged per session.
    held.push(await openSession(serve.postgresPort, token, 'pool'));
    await sleep(1_000);
    const oneKb = rssKb(pid);
    held.push(...(await pooled(sessions, 16, () => openSession(serve.postgresPort, token, 'pool'))));
    await sleep(3_000);
    const manyKb = rssKb(pid);
    return {
      'gateway.rss_mb.idle': round(idleKb / 1024, 1),
      'gateway.rss_kb_per_session': round((manyKb - oneKb) / sessions, 1),
      'gateway.rss_sessions': sessions,
      'gateway.rss_from_bundle': fromBundle,
    };
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}
