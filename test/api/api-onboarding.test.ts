import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';
import { STORE_ENGINES } from '../support/test-store.ts';

for (const engine of STORE_ENGINES) {
  describe(`API invite → accept → token (${engine})`, () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await startApiHarness(engine, testPolicy('api'));
    });
    afterAll(async () => h.close());

    it('onboards a contractor with no admin step after the invite', async () => {
      const invite = await h.app.inject({
        method: 'POST',
        url: '/v1/invites',
        headers: h.bearer(h.adminToken),
        payload: { email: 'Alice@Vendor.example', roles: ['readonly'], until: '2027-03-31' },
      });
      expect(invite.statusCode).toBe(200);
      const created = invite.json<{ code: string; url: string; email: string; untilAt: number }>();
      expect(created.email).toBe('alice@vendor.example');
      expect(created.url).toBe(`http://stint.test/invite/${encodeURIComponent(created.code)}`);
      expect(created.untilAt).toBe(Date.parse('2027-04-01T00:00:00Z'));

      const accepted = await h.app.inject({ method: 'POST', url: '/v1/invites/accept', payload: { code: created.code } });
      expect(accepted.statusCode).toBe(200);
      const { token, expiresAt } = accepted.json<{ token: string; expiresAt: number }>();
      expect(token).toMatch(/^stint_/);
      expect(expiresAt).toBeLessThanOrEqual(Date.parse('2027-04-01T00:00:00Z'));

      const me = await h.app.inject({ method: 'GET', url: '/v1/whoami', headers: h.bearer(token) });
      expect(me.json()).toMatchObject({ email: 'alice@vendor.example', kind: 'contractor', apiRoles: ['contractor'] });

      const again = await h.app.inject({ method: 'POST', url: '/v1/invites/accept', payload: { code: created.code } });
      expect(again.statusCode).toBe(410);
      expect(again.json()).toMatchObject({ error: { code: 'STINT_ERR_INVITE_USED' } });

      // A contractor may not invite others.
      const forbidden = await h.app.inject({ method: 'POST', url: '/v1/invites', headers: h.bearer(token), payload: { email: 'x@y.example', roles: ['readonly'] } });
      expect(forbidden.statusCode).toBe(403);
    });

    it('rejects bad input with the field named and changes nothing', async () => {
      const before = await h.store.db.selectFrom('invites').select('id').execute();
      const unknownRole = await h.app.inject({ method: 'POST', url: '/v1/invites', headers: h.bearer(h.adminToken), payload: { email: 'bob@vendor.example', roles: ['root'] } });
      expect(unknownRole.statusCode).toBe(400);
      expect(unknownRole.json()).toMatchObject({ error: { code: 'STINT_ERR_UNKNOWN_ROLE' } });

      const badDate = await h.app.inject({ method: 'POST', url: '/v1/invites', headers: h.bearer(h.adminToken), payload: { email: 'bob@vendor.example', roles: ['readonly'], until: 'next tuesday' } });
      expect(badDate.json()).toMatchObject({ error: { code: 'STINT_ERR_BAD_REQUEST', details: [{ field: 'body.until' }] } });

      const badTtl = await h.app.inject({ method: 'POST', url: '/v1/tokens', headers: h.bearer(h.adminToken), payload: { for: 'alice@vendor.example', ttl: 'forever' } });
      expect(badTtl.statusCode).toBe(400);
      expect(badTtl.json()).toMatchObject({ error: { details: [{ field: 'body.ttl' }] } });

      const badJson = await h.app.inject({ method: 'POST', url: '/v1/invites', headers: { ...h.bearer(h.adminToken), 'content-type': 'application/json' }, payload: '{"email":' });
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json()).toMatchObject({ error: { code: 'STINT_ERR_BAD_REQUEST' } });

      expect(await h.store.db.selectFrom('invites').select('id').execute()).toEqual(before);
    });

    it('issues admin tokens capped at the engagement end', async () => {
      const res = await h.app.inject({ method: 'POST', url: '/v1/tokens', headers: h.bearer(h.adminToken), payload: { for: 'alice@vendor.example', ttl: '3650d' } });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ expiresAt: number }>().expiresAt).toBe(Date.parse('2027-04-01T00:00:00Z'));
      const stored = await h.store.db.selectFrom('tokens').selectAll().execute();
      const plaintext = res.json<{ token: string }>().token;
      expect(JSON.stringify(stored)).not.toContain(plaintext);
    });
  });
}

describe('invite link landing page', () => {
  it('explains how to accept without consuming the invite', async () => {
    const h = await startApiHarness('sqlite', testPolicy('api'));
    try {
      const invite = await h.app.inject({ method: 'POST', url: '/v1/invites', headers: h.bearer(h.adminToken), payload: { email: 'dan@vendor.example', roles: ['readonly'] } });
      const { code } = invite.json<{ code: string }>();
      const page = await h.app.inject({ method: 'GET', url: `/invite/${code}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`stint accept ${code}`);
      const accepted = await h.app.inject({ method: 'POST', url: '/v1/invites/accept', payload: { code } });
      expect(accepted.statusCode).toBe(200);
      const bad = await h.app.inject({ method: 'GET', url: '/invite/%3Cscript%3E' });
      expect(bad.statusCode).toBe(400);
    } finally {
      await h.close();
    }
  });
});
