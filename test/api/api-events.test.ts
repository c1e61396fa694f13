import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STREAMS_PER_TOKEN } from '../../src/api/routes/event-stream-routes.ts';
import { startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';

const CONTRACTORS = `  approver@corp.example: { name: Pat, roles: [approver] }
contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2099-03-31 }
  carol@vendor.example: { name: Carol, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2099-03-31 }
approvals:
  - resources: { names: [demo] }
    actions: [write]
    approvers: [approver@corp.example]
    max_duration: 4h
`;

interface Reader {
  readonly status: number;
  readonly contentType: string | null;
  /** Resolves with everything read once `until` matches the text so far, or the stream ends. */
  next(until: (text: string) => boolean): Promise<{ text: string; ended: boolean }>;
  close(): Promise<void>;
}

async function openStream(url: string, token: string | null): Promise<Reader> {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/events`, { headers: token === null ? {} : { authorization: `Bearer ${token}` }, signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    async next(until) {
      while (!until(text)) {
        const { done, value } = await reader.read();
        if (done) return { text, ended: true };
        text += decoder.decode(value, { stream: true });
      }
      return { text, ended: false };
    },
    async close() {
      await reader.cancel().catch(() => undefined);
      controller.abort();
    },
  };
}

// The store is not what is under test here; one engine keeps the file fast.
describe('GET /v1/events', () => {
  let h: ApiHarness;
  let url: string;
  let alice: { token: string; id: string };
  let carol: string;
  let auditor: string;
  beforeAll(async () => {
    h = await startApiHarness('sqlite', testPolicy('files', CONTRACTORS));
    await h.access.refresh();
    const issued = await h.tokens.create({ subject: 'alice@vendor.example', kind: 'contractor', createdBy: 'test' });
    alice = { token: issued.token, id: issued.id };
    carol = (await h.tokens.create({ subject: 'carol@vendor.example', kind: 'contractor', createdBy: 'test' })).token;
    auditor = (await h.tokens.create({ subject: 'auditor@corp.example', kind: 'staff', createdBy: 'test' })).token;
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  // Closing the app must end open streams, or this would hang.
  afterAll(async () => h.close());

  it('needs a token, and answers HEAD without holding a stream open', async () => {
    const anonymous = await openStream(url, null);
    expect(anonymous.status).toBe(401);
    await anonymous.close();
    const head = await h.app.inject({ method: 'HEAD', url: '/v1/events', headers: h.bearer(auditor) });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('streams changes: staff see all, a contractor only their own', async () => {
    const staff = await openStream(url, auditor);
    const own = await openStream(url, alice.token);
    expect(staff.status).toBe(200);
    expect(staff.contentType).toBe('text/event-stream; charset=utf-8');
    await staff.next((t) => t.includes(': connected'));
    await own.next((t) => t.includes(': connected'));

    const carolSession = await h.sessions.open(
      { protocol: 'postgres', contractor: 'carol@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: true, tokenId: 'tok_c', expiresAt: null },
      { terminate: () => undefined },
    );
    const created = await h.app.inject({ method: 'POST', url: '/v1/requests', headers: h.bearer(carol), payload: { resource: 'demo', actions: ['write'], duration: '1h', reason: 'fix' } });
    expect(created.statusCode).toBe(200);
    const aliceSession = await h.sessions.open(
      { protocol: 'postgres', contractor: 'alice@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: true, tokenId: alice.id, expiresAt: null },
      { terminate: () => undefined },
    );

    const seen = await staff.next((t) => t.includes('"type":"request.created"') && t.includes(aliceSession.id));
    expect(seen.text).toContain(`"type":"session.started","at":"2026-12-01T00:00:00.000Z","id":"${carolSession.id}","email":"carol@vendor.example","resource":"demo"`);
    const mine = await own.next((t) => t.includes(aliceSession.id));
    expect(mine.text).not.toContain('carol@vendor.example');
    expect(mine.text).not.toContain('request.created');

    await aliceSession.finish('client_closed');
    expect((await own.next((t) => t.includes('"type":"session.ended"'))).text).toContain(aliceSession.id);
    await carolSession.finish('client_closed');
    await staff.close();
    await own.close();
  });

  it(`refuses more than ${MAX_STREAMS_PER_TOKEN} streams for one token`, async () => {
    const open = [];
    for (let i = 0; i < MAX_STREAMS_PER_TOKEN; i += 1) open.push(await openStream(url, carol));
    expect(open.every((s) => s.status === 200)).toBe(true);
    const extra = await openStream(url, carol);
    expect(extra.status).toBe(429);
    expect((await extra.next(() => false)).text).toContain('STINT_ERR_TOO_MANY_STREAMS');
    for (const s of open) await s.close();
    // Closed streams free their places.
    await expect
      .poll(async () => {
        const again = await openStream(url, carol);
        await again.close();
        return again.status;
      })
      .toBe(200);
  });

  it('ends the stream once its token is revoked', async () => {
    const own = await openStream(url, alice.token);
    await own.next((t) => t.includes(': connected'));
    await h.tokens.revoke(alice.id, { by: 'admin', reason: 'test' });
    // Re-checked every 5 s; leave room for a loaded machine.
    const end = await own.next(() => false);
    expect(end.ended).toBe(true);
    expect(end.text).toContain(': closed token_revoked');
  }, 20_000);
});
