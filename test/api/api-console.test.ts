import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/access/access-model.ts';
import { decideStatement } from '../../src/access/statement-access.ts';
import type { PolicyFile } from '../../src/policy/policy-types.ts';
import type { AccessMatrix } from '../../src/reports/access-matrix.ts';
import type { ConsoleOverview } from '../../src/reports/console-overview.ts';
import type { SessionDetail, SessionItem } from '../../src/sessions/session-history.ts';
import { POLICY_PATH, startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';
import { STORE_ENGINES } from '../support/test-store.ts';

const CONTRACTORS = `  approver@corp.example: { name: Pat, roles: [approver] }
contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2026-12-10 }
  carol@vendor.example: { name: Carol, company: Other Co, sponsor: bob@corp.example, roles: [readwrite], until: 2027-06-30 }
guardrails:
  - resources: { names: [demo] }
    deny: [admin]
    require_approval: [write]
  - resources: { labels: { env: prod } }
    deny: [ddl]
approvals:
  - resources: { names: [demo] }
    actions: [write]
    approvers: [approver@corp.example]
    max_duration: 4h
`;

function policy(): PolicyFile[] {
  const [file] = testPolicy('files', CONTRACTORS);
  // The read-only role masks an email column: the matrix shows what the decision attaches.
  return [{ path: file!.path, content: file!.content.replace('        actions: [read]\n', '        actions: [read]\n        mask: [customers.email]\n') }];
}

for (const engine of STORE_ENGINES) {
  describe(`console endpoints (${engine})`, () => {
    let h: ApiHarness;
    let alice: string;
    let carol: string;
    let auditor: string;
    let approver: string;
    let onDisk: PolicyFile[];
    beforeAll(async () => {
      onDisk = policy();
      h = await startApiHarness(engine, policy(), { policySource: () => Promise.resolve(onDisk) });
      await h.access.refresh();
      const issue = async (subject: string, kind: 'contractor' | 'staff') => (await h.tokens.create({ subject, kind, createdBy: 'test' })).token;
      alice = await issue('alice@vendor.example', 'contractor');
      carol = await issue('carol@vendor.example', 'contractor');
      auditor = await issue('auditor@corp.example', 'staff');
      approver = await issue('approver@corp.example', 'staff');
    });
    afterAll(async () => h.close());

    const get = (url: string, token: string) => h.app.inject({ method: 'GET', url, headers: h.bearer(token) });

    it('checks roles on every new endpoint', async () => {
      for (const url of ['/v1/console/overview', '/v1/access/matrix']) {
        expect((await get(url, alice)).statusCode, url).toBe(403);
        expect((await get(url, auditor)).statusCode, url).toBe(200);
        expect((await get(url, approver)).statusCode, url).toBe(200);
        expect((await h.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
      }
      expect((await get('/v1/me', auditor)).statusCode).toBe(403);
      expect((await get('/v1/me', h.adminToken)).json()).toMatchObject({ error: { code: 'STINT_ERR_FORBIDDEN' } });
      expect((await get('/v1/me', alice)).statusCode).toBe(200);
      // Each refusal is on the record.
      const forbidden = await get('/v1/audit/events?code=API_FORBIDDEN&actor=alice@vendor.example', h.adminToken);
      expect(forbidden.json<{ events: { summary: string }[] }>().events.map((e) => e.summary).join('\n')).toContain('GET /v1/access/matrix');
    });

    it('declares the console endpoints in the OpenAPI document, with their roles', async () => {
      const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { 'x-stint-roles': string[]; responses: Record<string, { content: Record<string, unknown> }> }>> }>();
      expect(doc.paths['/v1/console/overview']?.get?.['x-stint-roles']).toEqual(['admin', 'approver', 'auditor']);
      expect(doc.paths['/v1/access/matrix']?.get?.['x-stint-roles']).toEqual(['admin', 'approver', 'auditor']);
      expect(doc.paths['/v1/me']?.get?.['x-stint-roles']).toEqual(['admin', 'contractor']);
      expect(doc.paths['/v1/sessions/{id}']?.get).toBeDefined();
      expect(Object.keys(doc.paths['/v1/events']?.get?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    });

    it('computes the access matrix with the decision code and shows the declared policy', async () => {
      const res = await get('/v1/access/matrix', auditor);
      expect(res.statusCode).toBe(200);
      const matrix = res.json<AccessMatrix & { policy: { digest: string; drift: string; appliedBy: string; appliedAt: string } }>();
      expect(matrix.resources).toEqual([{ name: 'demo', kind: 'postgres', labels: { env: 'dev' } }]);
      expect(matrix.roles.map((r) => r.name)).toEqual(['readonly', 'readwrite']);
      expect(matrix.roles[0]!.rules).toEqual([{ effect: 'allow', resources: { labels: { env: 'dev' } }, actions: ['read'], mask: ['public.customers.email (redact)'] }]);
      expect(matrix.guardrails.map((g) => g.number)).toEqual([1, 2]);
      // Carol's role grants write, but guardrail 1 wants an approved request for it: the gateway would refuse, so the matrix does.
      const carolRow = matrix.rows.find((r) => r.email === 'carol@vendor.example');
      expect(carolRow).toMatchObject({ resource: 'demo', actions: ['read'], guardrails: [1], masks: [], via: [{ kind: 'role', name: 'readwrite' }], expiresAt: '2027-07-01T00:00:00.000Z' });
      expect(matrix.rows.find((r) => r.email === 'alice@vendor.example')).toMatchObject({ actions: ['read'], masks: ['public.customers.email'], via: [{ kind: 'role', name: 'readonly' }] });
      // The portal says the same to Carol.
      expect((await get('/v1/me', carol)).json<{ resources: { actions: string[] }[] }>().resources.map((r) => r.actions)).toEqual([['read']]);
      // Every cell agrees with decideStatement over the same index.
      const index = h.access.index();
      for (const row of matrix.rows) {
        const allowed = ACTIONS.filter((action) => decideStatement(index, { email: row.email, tokenExpiresAt: null }, row.resource, action, { tablesRead: [], tablesWritten: [] }, h.clock.now()).allow);
        expect(row.actions).toEqual(allowed);
      }
      expect(matrix.policy).toMatchObject({ digest: h.policy.current()!.digest, drift: 'none', appliedBy: 'system:test', appliedAt: new Date(h.policy.current()!.appliedAt).toISOString() });
    });

    it('shows a grant from an approved request in the matrix, with its expiry', async () => {
      const created = await h.app.inject({ method: 'POST', url: '/v1/requests', headers: h.bearer(carol), payload: { resource: 'demo', actions: ['write'], duration: '1h', reason: 'fix' } });
      expect(created.statusCode).toBe(200);
      const id = created.json<{ id: string }>().id;
      const approved = await h.app.inject({ method: 'POST', url: `/v1/requests/${id}/approve`, headers: h.bearer(approver), payload: {} });
      expect(approved.statusCode).toBe(200);
      const matrix = (await get('/v1/access/matrix', auditor)).json<AccessMatrix>();
      const row = matrix.rows.find((r) => r.email === 'carol@vendor.example')!;
      expect(row.actions).toEqual(['read', 'write']);
      const grant = row.via.find((v) => v.kind === 'grant');
      expect(grant).toMatchObject({ kind: 'grant', expiresAt: new Date(h.clock.now() + 3_600_000).toISOString() });
      const me = (await get('/v1/me', carol)).json<{ resources: { name: string; actions: string[] }[]; grants: unknown[]; requests: unknown[] }>();
      // The token (30 days by default) ends before the engagement, so it bounds the role's access.
      expect(me.resources[0]).toMatchObject({ name: 'demo', actions: ['read', 'write'], expiresAt: '2026-12-31T00:00:00.000Z' });
      // Each action says what allows it and until when: the grant ends in an hour, the role with the token.
      const grantId = approved.json<{ grant: { id: string } }>().grant.id;
      expect((me.resources[0] as unknown as { access: unknown[] }).access).toEqual([
        { action: 'read', via: 'role', expiresAt: '2026-12-31T00:00:00.000Z' },
        { action: 'write', via: 'grant', grantId, expiresAt: new Date(h.clock.now() + 3_600_000).toISOString() },
      ]);
      expect(me.grants).toHaveLength(1);
      expect(me.requests).toHaveLength(1);
    });

    it('reports drift between the files the server started from and what is applied', async () => {
      const [file] = policy();
      onDisk = [{ path: POLICY_PATH, content: file!.content.replace('until: 2026-12-10', 'until: 2026-12-20') }];
      const drifted = (await get('/v1/access/matrix', auditor)).json<{ policy: { drift: string; driftSummary: string[] } }>();
      expect(drifted.policy.drift).toBe('drift');
      expect(drifted.policy.driftSummary.join('\n')).toContain('alice@vendor.example');
      onDisk = [{ path: POLICY_PATH, content: 'version: 1\nresources: [' }];
      const unreadable = (await get('/v1/access/matrix', auditor)).json<{ policy: { drift: string; driftSummary: string[] } }>();
      expect(unreadable.policy.drift).toBe('unknown');
      expect(unreadable.policy.driftSummary[0]).toContain('STINT_ERR_POLICY');
      onDisk = policy();
    });

    it('gives the overview counts, what ends soon and recent denials', async () => {
      await h.app.inject({ method: 'POST', url: '/v1/invites', headers: h.bearer(h.adminToken), payload: { email: 'dan@vendor.example', roles: ['readonly'] } });
      const live = await h.sessions.open(
        { protocol: 'postgres', contractor: 'alice@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: true, tokenId: 'tok_x', expiresAt: null },
        { terminate: () => undefined },
      );
      await h.audit.append({ code: 'STATEMENT_DENIED', actor: 'alice@vendor.example', resource: 'demo', subject: live.id, summary: 'refused DROP TABLE', data: { session: live.id, text: 'DROP TABLE t', reason: 'DENY_NO_GRANT' } });
      const overview = (await get('/v1/console/overview', auditor)).json<ConsoleOverview>();
      expect(overview.contractors).toEqual({ active: 2, invited: 1, endingSoon: 1 });
      expect(overview.sessions.live).toBe(1);
      expect(overview.endingSoon).toContainEqual({ kind: 'engagement', email: 'alice@vendor.example', endsAt: '2026-12-11T00:00:00.000Z' });
      expect(overview.endingSoon.some((e) => e.kind === 'grant' && e.email === 'carol@vendor.example' && e.resource === 'demo')).toBe(true);
      expect(overview.recentDenials[0]).toMatchObject({ code: 'STATEMENT_DENIED', actor: 'alice@vendor.example' });
      expect(overview.recentDenials.every((e) => ['ACCESS_DENIED', 'STATEMENT_DENIED', 'SESSION_REFUSED', 'API_FORBIDDEN'].includes(e.code))).toBe(true);
      await live.finish('client_closed');
    });

    it('gives a contractor their resources with ready-to-copy connection settings', async () => {
      const me = (await get('/v1/me', alice)).json<{ email: string; company: string; engagementEndsAt: string; resources: { connection: Record<string, unknown>; expiresAt: string }[] }>();
      expect(me).toMatchObject({ email: 'alice@vendor.example', company: 'Vendor', engagementEndsAt: '2026-12-11T00:00:00.000Z' });
      expect(me.resources).toHaveLength(1);
      expect(me.resources[0]!.expiresAt).toBe('2026-12-11T00:00:00.000Z');
      expect(me.resources[0]!.connection).toEqual({
        host: '127.0.0.1',
        port: 6432,
        database: 'demo',
        user: 'alice@vendor.example',
        sslmode: 'require',
        uri: 'postgresql://alice%40vendor.example@127.0.0.1:6432/demo?sslmode=require',
        psql: 'psql "postgresql://alice%40vendor.example@127.0.0.1:6432/demo?sslmode=require"',
      });
    });

    it('lists session history by state, person and text, pages it, and shows statements with their decisions', async () => {
      const open = (contractor: string) =>
        h.sessions.open(
          { protocol: 'postgres', contractor, resource: 'demo', clientAddress: '127.0.0.1', tls: true, tokenId: 'tok_y', expiresAt: null },
          { terminate: () => undefined },
        );
      const first = await open('carol@vendor.example');
      const allowed = await h.audit.append({
        code: 'STATEMENT_ALLOWED',
        actor: 'carol@vendor.example',
        resource: 'demo',
        subject: first.id,
        summary: 'carol ran SELECT (read) on demo: SELECT * FROM invoices_2026',
        data: { session: first.id, text: 'SELECT * FROM invoices_2026', reason: 'ALLOW_ROLE' },
      });
      await h.audit.append({ code: 'STATEMENT_COMPLETED', actor: 'carol@vendor.example', resource: 'demo', subject: first.id, summary: 'SELECT completed', data: { session: first.id, allowedSeq: allowed.seq, rows: 3, durationMs: 4 } });
      await h.audit.append({
        code: 'STATEMENT_DENIED',
        actor: 'carol@vendor.example',
        resource: 'demo',
        subject: first.id,
        summary: 'Stint refused DROP',
        data: { session: first.id, text: 'DROP TABLE invoices_2026', reason: 'DENY_NO_GRANT', message: 'no ddl' },
      });
      await first.finish('client_closed');
      h.clock.advance(1000);
      const second = await open('carol@vendor.example');

      const live = (await get('/v1/sessions?state=live&email=carol@vendor.example', auditor)).json<{ items: SessionItem[] }>();
      expect(live.items.map((s) => s.id)).toEqual([second.id]);
      expect(live.items[0]).toMatchObject({ contractor: 'carol@vendor.example', live: true, endedAt: null });
      const ended = (await get('/v1/sessions?state=ended&email=carol@vendor.example', auditor)).json<{ items: SessionItem[] }>();
      expect(ended.items.map((s) => s.id)).toEqual([first.id]);
      const byText = (await get('/v1/sessions?state=all&q=invoices_2026', auditor)).json<{ items: SessionItem[] }>();
      expect(byText.items.map((s) => s.id)).toEqual([first.id]);

      const page1 = (await get('/v1/sessions?state=all&email=carol@vendor.example&limit=1', auditor)).json<{ items: SessionItem[]; nextCursor?: string }>();
      expect(page1.items.map((s) => s.id)).toEqual([second.id]);
      const page2 = (await get(`/v1/sessions?state=all&email=carol@vendor.example&limit=1&cursor=${page1.nextCursor!}`, auditor)).json<{ items: SessionItem[]; nextCursor?: string }>();
      expect(page2.items.map((s) => s.id)).toEqual([first.id]);
      expect(page2.nextCursor).toBeUndefined();
      expect((await get('/v1/sessions?cursor=bogus', auditor)).json()).toMatchObject({ error: { code: 'STINT_ERR_BAD_REQUEST' } });

      const detail = await get(`/v1/sessions/${first.id}`, auditor);
      expect(detail.statusCode).toBe(200);
      expect(detail.json<SessionDetail>().statements).toEqual([
        { at: expect.any(String) as string, text: 'SELECT * FROM invoices_2026', decision: 'allowed', reason: 'ALLOW_ROLE', rows: 3, durationMs: 4 },
        { at: expect.any(String) as string, text: 'DROP TABLE invoices_2026', decision: 'denied', reason: 'DENY_NO_GRANT', message: 'no ddl' },
      ]);

      // Contractors see their own sessions only; someone else's answers like a missing one.
      expect((await get(`/v1/sessions/${first.id}`, carol)).statusCode).toBe(200);
      expect((await get(`/v1/sessions/${first.id}`, alice)).statusCode).toBe(404);
      const aliceList = (await get('/v1/sessions?state=all&email=carol@vendor.example', alice)).json<{ items: SessionItem[] }>();
      expect(aliceList.items.every((s) => s.contractor === 'alice@vendor.example')).toBe(true);
      expect((await get('/v1/sessions/ses_0000', auditor)).statusCode).toBe(404);
      await second.finish('client_closed');
    });
  });
}
