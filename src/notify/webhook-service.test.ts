import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingAuditSink } from '../../test/support/recording-audit-sink.ts';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts';
import { EventBus, type DomainEvent } from '../events/event-bus.ts';
import type { WebhookSpec } from '../policy/policy-types.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { systemClock } from '../time/clock.ts';
import type { WebhookEnvelope } from './webhook-body.ts';
import { WebhookService, type WebhookServiceDeps } from './webhook-service.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

const logger = pino({ level: 'silent' });
const ENV = { HOOK_SECRET: 'whsec_0123456789' };

const offboarded = (email = 'alice@vendor.example'): DomainEvent => ({
  type: 'contractor.offboarded',
  at: Date.now(),
  email,
  by: 'admin@corp.example',
  reason: 'contract over',
  cause: 'manual',
});

const killed: DomainEvent = { type: 'session.killed', at: 1, session: 'ses_1', contractor: 'alice@vendor.example', resource: 'demo', by: 'admin@corp.example', reason: 'incident' };

for (const engine of STORE_ENGINES) {
  describe(`webhooks (${engine})`, () => {
    let store: TestStore | undefined;
    let receiver: WebhookReceiver | undefined;
    const services: WebhookService[] = [];
    const extraStores: Store[] = [];

    afterEach(async () => {
      for (const service of services.splice(0)) await service.stop();
      for (const extra of extraStores.splice(0)) await extra.close();
      await receiver?.close();
      await store?.destroy();
      store = undefined;
      receiver = undefined;
    });

    async function setup(webhooks: (url: string) => WebhookSpec[]): Promise<{ store: TestStore; receiver: WebhookReceiver; specs: WebhookSpec[] }> {
      store = await openTestStore(engine);
      receiver = await startWebhookReceiver();
      return { store, receiver, specs: webhooks(receiver.url) };
    }

    function service(on: Store, specs: readonly WebhookSpec[], extra: Partial<WebhookServiceDeps> = {}): { service: WebhookService; events: EventBus; audit: RecordingAuditSink } {
      const events = new EventBus();
      const audit = new RecordingAuditSink();
      const created = new WebhookService({
        store: on,
        clock: systemClock,
        logger,
        audit,
        events,
        webhooks: () => specs,
        worker: { env: ENV, pollMs: 50, backoff: () => 100 },
        ...extra,
      });
      services.push(created);
      return { service: created, events, audit };
    }

    const jsonHook = (url: string, events: string[] = ['*']): WebhookSpec => ({ name: 'siem', url, events, secret: 'env:HOOK_SECRET', format: 'json' });

    it('delivers a signed JSON envelope that verifies, with event and delivery headers', async () => {
      const { store, receiver, specs } = await setup((url) => [jsonHook(url)]);
      const { service: hooks, events } = service(store, specs);
      hooks.start();
      const event = offboarded();
      events.emit(event);
      const [request] = await receiver.waitFor(1);
      expect(request!.method).toBe('POST');
      expect(request!.path).toBe('/hooks/stint');
      expect(request!.headers['content-type']).toBe('application/json');
      expect(request!.headers['stint-event']).toBe('contractor.offboarded');
      expect(request!.headers['stint-delivery']).toMatch(/^whd_[0-9a-f]{20}$/);
      expect(verifyWebhookSignature({ secret: ENV.HOOK_SECRET, body: request!.body, header: request!.headers['stint-signature'] as string })).toMatchObject({ ok: true });
      expect(verifyWebhookSignature({ secret: 'wrong', body: request!.body, header: request!.headers['stint-signature'] as string })).toMatchObject({ ok: false });
      const envelope = JSON.parse(request!.body) as WebhookEnvelope;
      expect(envelope).toMatchObject({
        type: 'contractor.offboarded',
        at: event.at,
        summary: 'alice@vendor.example was offboarded by admin@corp.example: contract over.',
        data: { email: 'alice@vendor.example', by: 'admin@corp.example', reason: 'contract over', cause: 'manual' },
      });
      expect(envelope.id).toMatch(/^evt_/);
      await expect.poll(async () => (await hooks.list()).map((d) => [d.status, d.attempts, d.lastStatus])).toEqual([['delivered', 1, 200]]);
    });

    it('sends only the events a webhook lists', async () => {
      const { store, receiver, specs } = await setup((url) => [jsonHook(url, ['session.killed'])]);
      const { service: hooks, events } = service(store, specs);
      hooks.start();
      events.emit(offboarded());
      events.emit(killed);
      await receiver.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.requests.map((r) => r.headers['stint-event'])).toEqual(['session.killed']);
      expect((await hooks.list()).map((d) => d.event)).toEqual(['session.killed']);
    });

    it('retries after a failure and delivers on the next attempt, same delivery id', async () => {
      const { store, receiver, specs } = await setup((url) => [jsonHook(url)]);
      receiver.respondWith(500);
      const { service: hooks, events } = service(store, specs);
      hooks.start();
      events.emit(offboarded());
      const [first, second] = await receiver.waitFor(2);
      expect([first!.status, second!.status]).toEqual([500, 200]);
      expect(second!.headers['stint-delivery']).toBe(first!.headers['stint-delivery']);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(90);
      await expect.poll(async () => (await hooks.list()).map((d) => [d.status, d.attempts])).toEqual([['delivered', 2]]);
    });

    it('loses nothing across a restart: a delivery queued before a stop is sent once by the next worker', async () => {
      const { store, receiver, specs } = await setup((url) => [jsonHook(url)]);
      const first = service(store, specs);
      // Queued, then the process "stops" before its worker ever runs.
      const queued = await first.service.enqueue(offboarded());
      await first.service.stop();
      await store.close();
      expect(receiver.requests).toEqual([]);

      const reopened = await openStore({ url: store.url, dataDir: store.dataDir });
      extraStores.push(reopened);
      const second = service(reopened, specs);
      second.service.start();
      const [request] = await receiver.waitFor(1);
      expect(request!.headers['stint-delivery']).toBe(queued[0]!.delivery);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.requests).toHaveLength(1);
    });

    it('never sends one delivery from two workers at once (two nodes on one store)', async () => {
      const { store, receiver, specs } = await setup((url) => [jsonHook(url)]);
      const a = service(store, specs, { worker: { env: ENV, pollMs: 20, backoff: () => 100, batch: 3 } });
      const b = service(store, specs, { worker: { env: ENV, pollMs: 20, backoff: () => 100, batch: 3 } });
      for (let i = 0; i < 12; i += 1) await a.service.enqueue(offboarded(`c${i}@vendor.example`));
      a.service.start();
      b.service.start();
      await receiver.waitFor(12);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ids = receiver.requests.map((r) => r.headers['stint-delivery']);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
    });

    it('formats Slack messages as { text } and leaves unsigned webhooks unsigned', async () => {
      const { store, receiver, specs } = await setup((url) => [{ name: 'chat', url, events: ['*'], format: 'slack' }]);
      const { service: hooks, events } = service(store, specs);
      hooks.start();
      events.emit(killed);
      const [request] = await receiver.waitFor(1);
      expect(JSON.parse(request!.body)).toEqual({ text: 'Stint: Session ses_1 of alice@vendor.example on demo was ended by admin@corp.example: incident.' });
      expect(request!.headers['stint-signature']).toBeUndefined();
    });

    it('gives up after the last attempt, records why, and audits it', async () => {
      const { store, receiver, specs } = await setup((url) => [jsonHook(url)]);
      receiver.respondWith(503, 503, 503);
      const { service: hooks, events, audit } = service(store, specs, { worker: { env: ENV, pollMs: 20, backoff: () => 50, maxAttempts: 3 } });
      hooks.start();
      events.emit(offboarded());
      await receiver.waitFor(3);
      await expect.poll(async () => (await hooks.list({ failed: true })).map((d) => [d.status, d.attempts, d.lastError])).toEqual([['failed', 3, 'HTTP 503']]);
      await expect.poll(() => audit.codes()).toEqual(['WEBHOOK_DELIVERY_FAILED']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.requests).toHaveLength(3);
    });

    it('retries when the secret cannot be read, and names the reference but not a value', async () => {
      const { store, receiver, specs } = await setup((url) => [{ ...jsonHook(url), secret: 'env:NOT_SET_HERE' }]);
      const { service: hooks, events } = service(store, specs, { worker: { env: ENV, pollMs: 20, backoff: () => 10_000, maxAttempts: 3 } });
      hooks.start();
      events.emit(offboarded());
      await expect.poll(async () => (await hooks.list()).map((d) => [d.status, d.lastError])).toEqual([['pending', expect.stringContaining('env:NOT_SET_HERE')]]);
      expect(receiver.requests).toEqual([]);
    });

    it('sends a test event to one named webhook through the queue, and refuses an unknown name', async () => {
      const { store, receiver, specs } = await setup((url) => [jsonHook(url), { name: 'chat', url, events: ['session.killed'], format: 'slack' }]);
      const { service: hooks, audit } = service(store, specs);
      hooks.start();
      const queued = await hooks.test('chat', 'admin@corp.example');
      expect(queued.map((q) => q.webhook)).toEqual(['chat']);
      const [request] = await receiver.waitFor(1);
      expect(JSON.parse(request!.body)).toEqual({ text: 'Stint: Test event for webhook chat, sent by admin@corp.example.' });
      expect(request!.headers['stint-event']).toBe('webhook.test');
      expect(audit.codes()).toEqual(['WEBHOOK_TEST_REQUESTED']);
      await expect(hooks.test('nope', 'admin@corp.example')).rejects.toMatchObject({ code: 'STINT_ERR_NOT_FOUND', message: expect.stringContaining('siem, chat') as string });
      expect((await hooks.test(undefined, 'admin@corp.example')).map((q) => q.webhook)).toEqual(['siem', 'chat']);
    });
  });
}
