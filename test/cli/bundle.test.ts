import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli-harness.ts';

/**
 * The prebuilt server bundle (ADR 0010), in a copy of the checkout (sources,
 * bin/stint, the build script; node_modules shared), so touching a source
 * here never disturbs the real tree.
 */

const DESCRIPTION = 'Scoped, time-bound, audited access for contractors.';
const CONTRACTOR = 'bundle@vendor.example';
const CONSOLE_PAGE = '<!doctype html><title>console built for the bundle test</title>';

const POLICY = `version: 1
settings:
  contractors: files
resources:
  bundled:
    kind: postgres
    address: 127.0.0.1:5432
    database: postgres
    credentials: { user: postgres }
    labels: { env: bundle }
roles:
  reader:
    grants:
      - resources: { labels: { env: bundle } }
        actions: [read]
contractors:
  ${CONTRACTOR}:
    name: Bundle
    company: Vendor
    sponsor: staff@example.com
    roles: [reader]
    until: 2099-01-01
staff:
  staff@example.com: { name: Staff, roles: [admin] }
`;

function runBin(root: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'bin/stint'), ...args], { cwd: root, timeout: 60_000, env: { ...process.env, STINT_RUN_SOURCES: '' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminToken: string;
  readonly postgresPort: number;
}

function serve(root: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/stint'), 'serve', '--config', join(root, 'policy.yaml'), '--data', join(root, 'data'), '--listen-api', '127.0.0.1:0', '--listen-postgres', '127.0.0.1:0', '--no-watch'],
    { cwd: root, env: { ...process.env, STINT_LOG_LEVEL: 'warn', STINT_RUN_SOURCES: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time:\n${stdout}\n${stderr}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${String(code)}:\n${stdout}\n${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /serving on (http:\/\/\S+) /.exec(stdout)?.[1];
      const adminToken = /STINT_TOKEN=(stint_\S+)/.exec(stdout)?.[1];
      const port = /PostgreSQL gateway on \S+:(\d+) /.exec(stdout)?.[1];
      if (url !== undefined && adminToken !== undefined && port !== undefined) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url, adminToken, postgresPort: Number(port) });
      }
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('the prebuilt server bundle', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'stint-bundle-'));
    cpSync(join(REPO_ROOT, 'src'), join(root, 'src'), { recursive: true });
    for (const dir of ['bin', 'scripts']) mkdirSync(join(root, dir));
    copyFileSync(join(REPO_ROOT, 'bin/stint'), join(root, 'bin/stint'));
    copyFileSync(join(REPO_ROOT, 'scripts/server-bundle.mjs'), join(root, 'scripts/server-bundle.mjs'));
    copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'policy.yaml'), POLICY);
    // A stand-in console build where the sources would find it (web/dist, resolved from import.meta.dirname).
    mkdirSync(join(root, 'web/dist'), { recursive: true });
    writeFileSync(join(root, 'web/dist/index.html'), CONSOLE_PAGE);
    const build = spawnSync(process.execPath, [join(root, 'scripts/server-bundle.mjs'), 'build'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
  }, 150_000);

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the API and the PostgreSQL listener from dist/', async () => {
    const served = await serve(root);
    try {
      const health = await fetch(`${served.url}/healthz`);
      expect(health.status).toBe(200);
      const page = await fetch(`${served.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(CONSOLE_PAGE);

      const issued = await fetch(`${served.url}/v1/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${served.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ for: CONTRACTOR }),
      });
      expect(issued.ok).toBe(true);
      const { token } = (await issued.json()) as { token: string };
      const client = new pg.Client({ host: '127.0.0.1', port: served.postgresPort, user: CONTRACTOR, password: token, database: 'bundled' });
      await client.connect();
      try {
        const result = await client.query<{ answer: number }>('select 40 + 2 as answer');
        expect(result.rows).toEqual([{ answer: 42 }]);
        // A long text is classified on the worker thread, loaded from the bundle's second entry point.
        const long = await client.query<{ n: number }>(`select 1 as n /* ${'x'.repeat(70 * 1024)} */`);
        expect(long.rows).toEqual([{ n: 1 }]);
      } finally {
        await client.end();
      }
    } finally {
      await stop(served.child);
    }
  }, 90_000);

  it('runs the bundle while it is current, and the sources once one is newer', async () => {
    const main = join(root, 'src/cli/main.ts');
    const bundleTime = statSync(join(root, 'dist/server/main.js')).mtime;
    const edited = readFileSync(main, 'utf8').replace(DESCRIPTION, 'Edited after the bundle was built.');
    writeFileSync(main, edited);
    // An edit the bundle already holds (older than it): the bundle runs, with the text it was built from.
    const older = new Date(bundleTime.getTime() - 60_000);
    utimesSync(main, older, older);
    const fromBundle = await runBin(root, ['--help']);
    expect(fromBundle.code).toBe(0);
    expect(fromBundle.stdout).toContain(DESCRIPTION);

    // A source newer than the bundle: bin/stint falls back to the sources through tsx, never stale code.
    const newer = new Date(bundleTime.getTime() + 60_000);
    utimesSync(main, newer, newer);
    const fromSources = await runBin(root, ['--help']);
    expect(fromSources.code).toBe(0);
    expect(fromSources.stdout).toContain('Edited after the bundle was built.');
  }, 90_000);
});
