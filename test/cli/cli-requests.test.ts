import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPolicy } from '../../src/requests/request-test-kit.ts';
import { runCli, startServe, type ServeProcess } from '../support/cli-harness.ts';

describe('bin/stint request, approve, grants and the access report', () => {
  let server: ServeProcess;
  let policyDir: string;
  let home: string;
  const env: Record<string, NodeJS.ProcessEnv> = {};

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'stint-requests-policy-'));
    writeFileSync(join(policyDir, 'policy.yaml'), requestPolicy());
    server = await startServe(policyDir);
    home = mkdtempSync(join(tmpdir(), 'stint-home-'));
    const admin = { STINT_URL: server.url, STINT_TOKEN: server.adminToken, STINT_CONFIG_DIR: home };
    env.admin = admin;
    for (const email of ['alice@vendor.example', 'erin@corp.example']) {
      const created = await runCli(['token', 'create', '--for', email, '--json'], admin);
      expect(created.code, created.stderr).toBe(0);
      env[email] = { ...admin, STINT_TOKEN: (JSON.parse(created.stdout) as { token: string }).token };
    }
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    rmSync(policyDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('requests as a contractor, approves as an approver, lists and reports the grant, then revokes it', async () => {
    const requested = await runCli(['request', 'demo', '--action', 'write', '--for', '30m', '--reason', 'TICKET-7', '--tables', 'orders,items', '--json'], env['alice@vendor.example']);
    expect(requested.code, requested.stderr).toBe(0);
    const request = JSON.parse(requested.stdout) as { id: string; status: string; tables: string[] };
    expect(request).toMatchObject({ status: 'pending', tables: ['orders', 'items'] });

    const pending = await runCli(['requests', '--pending'], env['erin@corp.example']);
    expect(pending.stdout).toContain(request.id);
    expect(pending.stdout).toMatch(/pending\s+0\/1/);

    const approved = await runCli(['approve', request.id, '--for', '20m'], env['erin@corp.example']);
    expect(approved.code, approved.stderr).toBe(0);
    const grantId = /Grant (grt_[0-9a-f]+): write on demo for alice@vendor\.example until /.exec(approved.stdout)?.[1];
    expect(grantId, approved.stdout).toBeDefined();

    const grants = await runCli(['grants'], env['alice@vendor.example']);
    expect(grants.stdout).toContain(grantId);
    const csv = await runCli(['report', 'access', '--format', 'csv', '--resource', 'demo'], env.admin);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain(`alice@vendor.example,Vendor,ops@corp.example,demo,write,request:${request.id},`);

    const revoked = await runCli(['grant', 'revoke', grantId!, '--reason', 'done'], env['erin@corp.example']);
    expect(revoked.stdout).toContain(`Revoked grant ${grantId!}`);
    expect((await runCli(['grants'], env['alice@vendor.example'])).stdout).toContain('No active grants.');
  });

  it('refuses a request beyond the rule maximum with exit 2 and the maximum in the message', async () => {
    const result = await runCli(['request', 'demo', '--action', 'write', '--for', '2h'], env['alice@vendor.example']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ask for 1h or less');
    expect(result.stderr).toContain('STINT_ERR_DURATION_TOO_LONG');
    const format = await runCli(['report', 'access', '--format', 'pdf'], env.admin);
    expect(format.code).toBe(2);
  });
});
