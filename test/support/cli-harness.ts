import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const STINT_BIN = join(REPO_ROOT, 'bin/stint');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bin/stint` as a user would, in a child process. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
    execFile(process.execPath, [STINT_BIN, ...args], { env: merged, cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  readonly url: string;
  readonly adminToken: string;
  readonly postgresPort: number;
  readonly dataDir: string;
  readonly configDir: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `bin/stint serve` on a free port with a copy of a policy directory, and waits until it listens. */
export async function startServe(policyDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const root = mkdtempSync(join(tmpdir(), 'stint-cli-'));
  const configDir = join(root, 'policy');
  const dataDir = join(root, 'data');
  cpSync(policyDir, configDir, { recursive: true });
  const child = spawn(process.execPath, [STINT_BIN, 'serve', '--config', configDir, '--data', dataDir, '--listen-api', '127.0.0.1:0', '--listen-postgres', '127.0.0.1:0'], {
    cwd: REPO_ROOT,
    env: { ...process.env, STINT_LOG_LEVEL: 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await new Promise<{ url: string; adminToken: string; postgresPort: number }>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time:\n${stdout}\n${stderr}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /serving on (http:\/\/\S+) /.exec(stdout)?.[1];
      const token = /STINT_TOKEN=(stint_\S+)/.exec(stdout)?.[1] ?? extraEnv.STINT_ADMIN_TOKEN;
      const postgresPort = /PostgreSQL gateway on \S+:(\d+) /.exec(stdout)?.[1];
      if (url !== undefined && token !== undefined && postgresPort !== undefined) {
        clearTimeout(timer);
        resolvePromise({ url, adminToken: token, postgresPort: Number(postgresPort) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${String(code)}:\n${stdout}\n${stderr}`));
    });
  });
  return {
    ...ready,
    dataDir,
    configDir,
    child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
