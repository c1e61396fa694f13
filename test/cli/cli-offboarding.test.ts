import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OffboardingReport } from '../../src/offboarding/offboarding-types.ts';
import { verifyWebhookSignature } from '../../src/notify/webhook-signature.ts';
import { runCli, startServe, type ServeProcess } from '../support/cli-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET = 'whsec_cli_test_4567';

function policy(receiverUrl: string, bobUntil: string): string {
  return `version: 1
settings:
  contractors: files
resources:
  demo: { kind: postgres, address: 127.0.0.1:5432, database: postgres, credentials: { user: postgres } }
roles:
  readwrite:
    grants:
      - resources: { names: [demo] }
        actions: [read, write]
contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: ops@corp.example, roles: [readwrite], until: 2099-03-31 }
  bob@vendor.example: { name: Bob, company: Vendor, sponsor: ops@corp.example, roles: [readwrite], until: "${bobUntil}" }
staff:
  ops@corp.example: { name: Ops, roles: [admin] }
webhooks:
  siem: { url: "${receiverUrl}", events: ["*"], secret: env:STINT_TEST_CLI_HOOK_SECRET }
`;
}

describe('stint offboard and stint webhooks against a running server', () => {
  let server: ServeProcess;
  let receiver: WebhookReceiver;
  let policyDir: string;
  let admin: NodeJS.ProcessEnv;
  let bobUntil: number;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    policyDir = mkdtempSync(join(tmpdir(), 'stint-offboard-policy-'));
    // Bob's engagement ends a few seconds after the server starts: the server's own timer must offboard him.
    bobUntil = Date.now() + 6000;
    writeFileSync(join(policyDir, 'policy.yaml'), policy(receiver.url, new Date(bobUntil).toISOString()));
    server = await startServe(policyDir, { STINT_TEST_CLI_HOOK_SECRET: SECRET });
    admin = { STINT_URL: server.url, STINT_TOKEN: server.adminToken, STINT_CONFIG_DIR: policyDir };
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    await receiver.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('offboards with a readable report, then reports "already offboarded"', async () => {
    const token = await runCli(['token', 'create', '--for', 'alice@vendor.example', '--label', 'laptop', '--json'], admin);
    expect(token.code).toBe(0);
    const { id } = JSON.parse(token.stdout) as { id: string };

    const result = await runCli(['offboard', 'alice@vendor.example', '--reason', 'contract over'], admin);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Offboarded alice@vendor.example (Alice, Vendor) by ');
    expect(result.stdout).toContain(': contract over.');
    expect(result.stdout).toMatch(/What they had\n {2}roles +readwrite\n {2}access +demo: read, write \(role:readwrite\)/);
    expect(result.stdout).toContain(`${id} (laptop)`);
    expect(result.stdout).toMatch(/Revoked\n {2}tokens +tok_/);

    const again = await runCli(['offboard', 'alice@vendor.example', '--json'], admin);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout) as OffboardingReport).toMatchObject({ email: 'alice@vendor.example', alreadyOffboarded: true });
    expect((await runCli(['offboard', 'alice@vendor.example'], admin)).stdout).toContain('was already offboarded');

    const unknown = await runCli(['offboard', 'nobody@vendor.example'], admin);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('STINT_ERR_UNKNOWN_CONTRACTOR');
  });

  it('sends events to the webhook signed, and a test event on request; lists deliveries', async () => {
    await receiver.waitFor(2, 10_000);
    const offboarded = receiver.requests.find((r) => r.headers['stint-event'] === 'contractor.offboarded');
    expect(offboarded).toBeDefined();
    expect(verifyWebhookSignature({ secret: SECRET, body: offboarded!.body, header: offboarded!.headers['stint-signature'] as string })).toMatchObject({ ok: true });
    // The start's own apply was announced too.
    expect(receiver.requests.some((r) => r.headers['stint-event'] === 'policy.applied')).toBe(true);

    const test = await runCli(['webhooks', 'test', 'siem'], admin);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/Queued a test event for webhook siem \(delivery whd_[0-9a-f]+\)/);
    await expect.poll(() => receiver.requests.some((r) => r.headers['stint-event'] === 'webhook.test'), { timeout: 10_000 }).toBe(true);

    const listed = await runCli(['webhooks', 'deliveries'], admin);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID +WEBHOOK +EVENT +STATUS/);
    expect(listed.stdout).toMatch(/whd_\S+ +siem +webhook\.test +delivered/);
    expect((await runCli(['webhooks', 'deliveries', '--failed'], admin)).stdout).toContain('No failed deliveries.');
    const missing = await runCli(['webhooks', 'test', 'nope'], admin);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('STINT_ERR_NOT_FOUND');
  });

  it('offboards a contractor at the engagement end by the server’s own timer', async () => {
    await expect
      .poll(async () => {
        const listed = await runCli(['contractors', '--all', '--json'], admin);
        return (JSON.parse(listed.stdout) as { email: string; status: string }[]).find((c) => c.email === 'bob@vendor.example')?.status;
      }, { timeout: 15_000, interval: 300 })
      .toBe('offboarded');
    await expect.poll(() => receiver.requests.some((r) => r.headers['stint-event'] === 'contractor.offboarded' && r.body.includes('bob@vendor.example')), { timeout: 5000 }).toBe(true);
    const body = receiver.requests.find((r) => r.headers['stint-event'] === 'contractor.offboarded' && r.body.includes('bob@vendor.example'))!.body;
    expect(JSON.parse(body)).toMatchObject({ data: { email: 'bob@vendor.example', cause: 'engagement_ended', by: 'system:engagement' } });
    expect(Date.now()).toBeGreaterThanOrEqual(bobUntil);
  });
});
