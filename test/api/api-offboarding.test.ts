import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../src/notify/webhook-deliveries.ts';
import { verifyWebhookSignature } from '../../src/notify/webhook-signature.ts';
import type { OffboardingReport } from '../../src/offboarding/offboarding-types.ts';
import { startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET_ENV = 'STINT_TEST_API_HOOK_SECRET';
const SECRET = 'whsec_api_test_0123';

describe('API offboarding and webhooks', () => {
  let h: ApiHarness;
  let receiver: WebhookReceiver;
  let alice: string;
  let auditor: string;

  beforeAll(async () => {
    process.env[SECRET_ENV] = SECRET;
    receiver = await startWebhookReceiver();
    const extra = `contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: bob@corp.example, roles: [readwrite], until: 2099-03-31 }
  eve@vendor.example: { name: Eve, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2099-03-31 }
webhooks:
  siem: { url: "${receiver.url}", events: [contractor.offboarded, session.killed], secret: "env:${SECRET_ENV}" }
  chat: { url: "${receiver.url}", events: [policy.applied], format: slack }
`;
    h = await startApiHarness('sqlite', testPolicy('files', extra));
    h.plane.webhooks.start();
    await h.access.refresh();
    alice = (await h.tokens.create({ subject: 'alice@vendor.example', kind: 'contractor', createdBy: 'test' })).token;
    auditor = (await h.tokens.create({ subject: 'auditor@corp.example', kind: 'staff', createdBy: 'test' })).token;
  });

  afterAll(async () => {
    await h.close();
    await receiver.close();
    delete process.env[SECRET_ENV];
  });

  it('lets only an admin offboard, and returns the report', async () => {
    for (const token of [alice, auditor]) {
      const refused = await h.app.inject({ method: 'POST', url: '/v1/contractors/alice@vendor.example/offboard', headers: h.bearer(token), payload: {} });
      expect(refused.statusCode).toBe(403);
    }
    const ended: string[] = [];
    const session = await h.sessions.open(
      { protocol: 'postgres', contractor: 'alice@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: false, tokenId: 'tok_x', expiresAt: null },
      { terminate: (_reason, message) => void ended.push(message) },
    );
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/contractors/Alice@Vendor.Example/offboard',
      headers: h.bearer(h.adminToken),
      payload: { reason: 'contract over' },
    });
    expect(res.statusCode).toBe(200);
    const report = res.json<OffboardingReport>();
    expect(report).toMatchObject({ email: 'alice@vendor.example', cause: 'manual', reason: 'contract over', alreadyOffboarded: false });
    expect(report.revoked.tokens).toHaveLength(1);
    expect(report.revoked.sessionsEnded).toEqual([session.id]);
    expect(report.had.access).toEqual([
      { resource: 'demo', actions: ['read', 'write'], via: ['role:readwrite'] },
    ]);
    expect(ended).toEqual([expect.stringContaining('You were offboarded by') as unknown]);
    await session.finish('killed');

    // Her token no longer works, on the API either.
    expect((await h.app.inject({ method: 'GET', url: '/v1/whoami', headers: h.bearer(alice) })).statusCode).toBe(401);

    const again = await h.app.inject({ method: 'POST', url: '/v1/contractors/alice@vendor.example/offboard', headers: h.bearer(h.adminToken) });
    expect(again.statusCode).toBe(200);
    expect(again.json<OffboardingReport>()).toMatchObject({ alreadyOffboarded: true });

    const unknown = await h.app.inject({ method: 'POST', url: '/v1/contractors/nobody@vendor.example/offboard', headers: h.bearer(h.adminToken), payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('STINT_ERR_UNKNOWN_CONTRACTOR');
  });

  it('delivers the offboarding to the webhook that asked for it, signed', async () => {
    const [request] = (await receiver.waitFor(1)).filter((r) => r.headers['stint-event'] === 'contractor.offboarded');
    expect(request).toBeDefined();
    const nowSeconds = Math.floor(h.clock.now() / 1000);
    expect(verifyWebhookSignature({ secret: SECRET, body: request!.body, header: request!.headers['stint-signature'] as string, nowSeconds })).toMatchObject({ ok: true });
    expect(JSON.parse(request!.body)).toMatchObject({ type: 'contractor.offboarded', data: { email: 'alice@vendor.example', reason: 'contract over' } });
  });

  it('sends a test event through the queue (admin) and lists deliveries (admin, auditor)', async () => {
    expect((await h.app.inject({ method: 'POST', url: '/v1/webhooks/test', headers: h.bearer(auditor), payload: { name: 'chat' } })).statusCode).toBe(403);
    const missing = await h.app.inject({ method: 'POST', url: '/v1/webhooks/test', headers: h.bearer(h.adminToken), payload: { name: 'nope' } });
    expect(missing.statusCode).toBe(404);
    const before = receiver.requests.length;
    const res = await h.app.inject({ method: 'POST', url: '/v1/webhooks/test', headers: h.bearer(h.adminToken), payload: { name: 'chat' } });
    expect(res.statusCode).toBe(200);
    const { queued } = res.json<{ queued: { webhook: string; delivery: string }[] }>();
    expect(queued.map((q) => q.webhook)).toEqual(['chat']);
    const requests = await receiver.waitFor(before + 1);
    expect(requests.find((r) => r.headers['stint-delivery'] === queued[0]!.delivery)?.body).toContain('Test event for webhook chat');

    const listed = await h.app.inject({ method: 'GET', url: '/v1/webhooks/deliveries?webhook=chat', headers: h.bearer(auditor) });
    expect(listed.statusCode).toBe(200);
    await expect
      .poll(async () => (await h.app.inject({ method: 'GET', url: '/v1/webhooks/deliveries?webhook=chat', headers: h.bearer(auditor) })).json<{ deliveries: DeliveryView[] }>().deliveries.map((d) => [d.event, d.status]))
      .toContainEqual(['webhook.test', 'delivered']);
    const failed = await h.app.inject({ method: 'GET', url: '/v1/webhooks/deliveries?failed=true', headers: h.bearer(auditor) });
    expect(failed.json<{ deliveries: DeliveryView[] }>().deliveries).toEqual([]);
    expect(JSON.stringify(listed.json())).not.toContain(SECRET);
  });
});
