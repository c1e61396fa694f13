import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionView } from '../../src/sessions/session-types.ts';
import { startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';

const CONTRACTORS = `contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2099-03-31 }
  eve@vendor.example: { name: Eve, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2099-03-31 }
`;

describe('API sessions and connection settings', () => {
  let h: ApiHarness;
  let alice: string;
  let eve: string;
  beforeAll(async () => {
    // Eve's role reaches env=dev, but a deny rule takes demo away from her.
    const files = testPolicy('files', CONTRACTORS);
    h = await startApiHarness('sqlite', [{ path: files[0]!.path, content: files[0]!.content.replace('  readwrite:', '  nothing-on-demo:\n    deny:\n      - resources: { names: [demo] }\n        actions: [read, write, ddl, admin]\n  readwrite:').replace('roles: [readonly], until: 2099-03-31 }\n', 'roles: [readonly], until: 2099-03-31 }\n').replace('eve@vendor.example: { name: Eve, company: Vendor, sponsor: bob@corp.example, roles: [readonly]', 'eve@vendor.example: { name: Eve, company: Vendor, sponsor: bob@corp.example, roles: [readonly, nothing-on-demo]') }]);
    await h.access.refresh();
    alice = (await h.tokens.create({ subject: 'alice@vendor.example', kind: 'contractor', createdBy: 'test' })).token;
    eve = (await h.tokens.create({ subject: 'eve@vendor.example', kind: 'contractor', createdBy: 'test' })).token;
  });
  afterAll(async () => h.close());

  it('gives a contractor the settings for a resource they may reach, with their actions and end', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/connect/demo', headers: h.bearer(alice) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ resource: 'demo', host: '127.0.0.1', port: 6432, database: 'demo', user: 'alice@vendor.example', actions: ['read'] });
    expect(res.json<{ expiresAt: number }>().expiresAt).toBeLessThanOrEqual(Date.parse('2099-04-01T00:00:00Z'));
  });

  it('refuses connection settings without access, for unknown resources and for staff', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/v1/connect/demo', headers: h.bearer(eve) })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/v1/connect/nope', headers: h.bearer(alice) })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/v1/connect/demo', headers: h.bearer(h.adminToken) })).statusCode).toBe(403);
  });

  it('lists sessions (contractors only their own) and lets an admin kill one', async () => {
    let terminated = '';
    const live = await h.sessions.open(
      { protocol: 'postgres', contractor: 'alice@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: false, tokenId: 'tok_x', expiresAt: null },
      { terminate: (reason) => (terminated = reason) },
    );
    const asAdmin = await h.app.inject({ method: 'GET', url: '/v1/sessions?live=true', headers: h.bearer(h.adminToken) });
    expect(asAdmin.json<{ sessions: SessionView[] }>().sessions.map((s) => s.id)).toEqual([live.id]);
    const asEve = await h.app.inject({ method: 'GET', url: '/v1/sessions?contractor=alice@vendor.example', headers: h.bearer(eve) });
    expect(asEve.json<{ sessions: SessionView[] }>().sessions).toEqual([]);
    const forbidden = await h.app.inject({ method: 'POST', url: `/v1/sessions/${live.id}/kill`, headers: h.bearer(alice), payload: {} });
    expect(forbidden.statusCode).toBe(403);
    const kill = await h.app.inject({ method: 'POST', url: `/v1/sessions/${live.id}/kill`, headers: h.bearer(h.adminToken), payload: { reason: 'test' } });
    expect(kill.statusCode).toBe(200);
    expect(terminated).toBe('killed');
    await live.finish('killed');
  });

  it('ends the local sessions of a token the moment it is revoked, without waiting for a poll', async () => {
    const issued = await h.tokens.create({ subject: 'alice@vendor.example', kind: 'contractor', createdBy: 'test' });
    const ended: string[] = [];
    const open = (tokenId: string) =>
      h.sessions.open(
        { protocol: 'postgres', contractor: 'alice@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: false, tokenId, expiresAt: null },
        { terminate: (reason) => ended.push(`${tokenId}:${reason}`) },
      );
    const revokedOne = await open(issued.id);
    const other = await open('tok_other');
    const res = await h.app.inject({ method: 'POST', url: `/v1/tokens/${issued.id}/revoke`, headers: h.bearer(h.adminToken), payload: {} });
    expect(res.statusCode).toBe(200);
    expect(ended).toEqual([`${issued.id}:token_revoked`]);
    await revokedOne.finish('token_revoked');
    await other.finish('client_closed');
  });
});
