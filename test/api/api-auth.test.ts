import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';
import { STORE_ENGINES } from '../support/test-store.ts';

async function auditCodes(h: ApiHarness): Promise<string[]> {
  await h.audit.flush();
  const rows = await h.store.db.selectFrom('audit_events').select('code').orderBy('seq').execute();
  return rows.map((r) => r.code);
}

for (const engine of STORE_ENGINES) {
  describe(`API authentication and roles (${engine})`, () => {
    let h: ApiHarness;
    beforeAll(async () => {
      h = await startApiHarness(engine, testPolicy('api'));
    });
    afterAll(async () => h.close());

    it('serves health and OpenAPI without a token', async () => {
      const health = await h.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', store: engine, policyDigest: h.policy.current()?.digest });
      const openapi = await h.app.inject({ method: 'GET', url: '/openapi.json' });
      const doc = openapi.json<{ openapi: string; paths: Record<string, unknown> }>();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/invites', '/v1/tokens/{id}/revoke', '/v1/audit/events']));
    });

    it('refuses a missing token and records it', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/v1/contractors' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'STINT_ERR_UNAUTHENTICATED' } });
      expect(await auditCodes(h)).toContain('AUTH_TOKEN_MISSING');
    });

    it('refuses unknown, revoked and expired tokens with distinct codes in the response and the audit log', async () => {
      const unknown = await h.app.inject({ method: 'GET', url: '/v1/contractors', headers: h.bearer('stint_notarealtokenatallnotarealtokenatall000') });
      expect(unknown.json()).toMatchObject({ error: { code: 'STINT_ERR_TOKEN_INVALID' } });

      const staff = await h.tokens.create({ subject: 'auditor@corp.example', kind: 'staff', ttlMs: 3_600_000, createdBy: 'test' });
      const revoke = await h.app.inject({ method: 'POST', url: `/v1/tokens/${staff.id}/revoke`, headers: h.bearer(h.adminToken), payload: { reason: 'test' } });
      expect(revoke.statusCode).toBe(200);
      const revoked = await h.app.inject({ method: 'GET', url: '/v1/contractors', headers: h.bearer(staff.token) });
      expect(revoked.json()).toMatchObject({ error: { code: 'STINT_ERR_TOKEN_REVOKED' } });

      const shortLived = await h.tokens.create({ subject: 'auditor@corp.example', kind: 'staff', ttlMs: 60_000, createdBy: 'test' });
      h.clock.advance(60_000);
      const expired = await h.app.inject({ method: 'GET', url: '/v1/contractors', headers: h.bearer(shortLived.token) });
      expect(expired.statusCode).toBe(401);
      expect(expired.json()).toMatchObject({ error: { code: 'STINT_ERR_TOKEN_EXPIRED' } });

      const codes = await auditCodes(h);
      expect(codes).toEqual(expect.arrayContaining(['AUTH_TOKEN_UNKNOWN', 'AUTH_TOKEN_REVOKED', 'AUTH_TOKEN_EXPIRED']));
    });

    it('lets an auditor search but not apply, and records the refusal', async () => {
      const staff = await h.tokens.create({ subject: 'auditor@corp.example', kind: 'staff', ttlMs: 3_600_000, createdBy: 'test' });
      const search = await h.app.inject({ method: 'GET', url: '/v1/audit/events?limit=5', headers: h.bearer(staff.token) });
      expect(search.statusCode).toBe(200);
      const apply = await h.app.inject({ method: 'POST', url: '/v1/policy/apply', headers: h.bearer(staff.token), payload: { files: testPolicy('api') } });
      expect(apply.statusCode).toBe(403);
      expect(apply.json()).toMatchObject({ error: { code: 'STINT_ERR_FORBIDDEN' } });
      expect(await auditCodes(h)).toContain('API_FORBIDDEN');
    });

    it('answers unknown routes with a catalogue error', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/v1/nope' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'STINT_ERR_NOT_FOUND' } });
    });
  });
}
