import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, startServe, type ServeProcess } from '../support/cli-harness.ts';

const QUICKSTART = join(REPO_ROOT, 'examples/quickstart');

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
}

describe('bin/stint against a running server', () => {
  let server: ServeProcess;
  let home: string;
  let admin: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startServe(QUICKSTART);
    home = mkdtempSync(join(tmpdir(), 'stint-home-'));
    admin = { STINT_URL: server.url, STINT_TOKEN: server.adminToken, STINT_CONFIG_DIR: home };
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('invites, accepts (saving the token) and answers whoami with the saved token', async () => {
    const invite = await runCli(['invite', 'alice@vendor.example', '--role', 'readonly', '--until', '2099-03-31', '--json'], admin);
    expect(invite.stderr).toBe('');
    expect(invite.code).toBe(0);
    const { code } = JSON.parse(invite.stdout) as { code: string };

    const contractorEnv = { STINT_URL: server.url, STINT_TOKEN: '', STINT_CONFIG_DIR: home };
    const accepted = await runCli(['accept', code, '--json'], contractorEnv);
    expect(accepted.code).toBe(0);
    const { token } = JSON.parse(accepted.stdout) as { token: string };
    expect(token).toMatch(/^stint_/);
    expect(readFileSync(join(home, 'credentials.json'), 'utf8')).toContain(token);

    const me = await runCli(['whoami'], { ...contractorEnv, STINT_TOKEN: undefined });
    expect(me.stdout).toContain('alice@vendor.example (contractor');

    const settings = await runCli(['connect', 'demo', '--json'], { ...contractorEnv, STINT_TOKEN: undefined });
    expect(settings.code).toBe(0);
    expect(JSON.parse(settings.stdout)).toMatchObject({ resource: 'demo', host: '127.0.0.1', port: server.postgresPort, env: { PGSSLMODE: 'verify-full' } });
    const query = await runCli(['connect', 'demo', '--exec', 'psql', '--', '-AtX', '-c', 'select 40 + 2'], { ...contractorEnv, STINT_TOKEN: undefined });
    expect(query.stderr).toBe('');
    expect(query.stdout.trim()).toBe('42');

    const reuse = await runCli(['accept', code], contractorEnv);
    expect(reuse.code).toBe(1);
    expect(reuse.stderr).toContain('STINT_ERR_INVITE_USED');
  });

  it('shows no drift for the served files and exit 3 with the differences for changed files', async () => {
    const clean = await runCli(['drift', '--config', server.configDir], admin);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No drift');

    const changed = mkdtempSync(join(tmpdir(), 'stint-changed-'));
    cpSync(server.configDir, changed, { recursive: true });
    const file = join(changed, 'policy.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/actions: \[read, write\]/, 'actions: [read]'));
    const drift = await runCli(['drift', '--config', changed], admin);
    expect(drift.code).toBe(3);
    expect(drift.stdout).toMatch(/readwrite/);
    rmSync(changed, { recursive: true, force: true });
  });

  it('keeps the last good policy when an invalid change lands on disk, and records the refusal', async () => {
    const file = join(server.configDir, 'policy.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, `${good}\n  broken: [\n`);
    await waitFor(async () => (await runCli(['audit', 'search', '--code', 'POLICY_RELOAD_REJECTED', '--json'], admin)).stdout.includes('POLICY_RELOAD_REJECTED'));
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { policyDigest: string };
    writeFileSync(file, good);
    const validate = await runCli(['policy', 'validate', '--config', server.configDir, '--json'], admin);
    expect((JSON.parse(validate.stdout) as { digest: string }).digest).toBe(health.policyDigest);
  });

  it('reports policy errors with file and line and exit 2, without a server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stint-bad-'));
    writeFileSync(join(dir, 'policy.yaml'), 'version: 1\nroles:\n  r:\n    grants:\n      - resources: { names: [nope] }\n        actions: [read]\n');
    const result = await runCli(['policy', 'validate', '--config', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/policy\.yaml:5/);
    expect(result.stderr).toContain('STINT_ERR_POLICY_INVALID');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a clear error and exit 1 when the server is unreachable', async () => {
    const result = await runCli(['contractors'], { STINT_URL: 'http://127.0.0.1:9', STINT_TOKEN: 'stint_x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('STINT_ERR_SERVER_UNREACHABLE');
  });

  it('verifies the audit log live, then offline on a stopped copy, and names the first tampered seq', async () => {
    const live = await runCli(['audit', 'verify'], admin);
    expect(live.code).toBe(0);

    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    const offline = await runCli(['audit', 'verify', '--data', server.dataDir]);
    expect(offline.stdout + offline.stderr).not.toContain('error');
    expect(offline.code).toBe(0);

    const db = new SQLite(join(server.dataDir, 'stint.db'));
    db.prepare("UPDATE audit_events SET summary = 'nothing to see' WHERE seq = 3").run();
    db.close();
    const tampered = await runCli(['audit', 'verify', '--data', server.dataDir, '--json']);
    expect(tampered.code).toBe(3);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });
});
