import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyPlan } from '../../src/policy/policy-plan.ts';
import { startApiHarness, testPolicy, type ApiHarness } from '../support/api-harness.ts';
import { STORE_ENGINES } from '../support/test-store.ts';

const ALICE = `contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: bob@corp.example, roles: [readwrite], until: 2027-03-31 }
`;
const ALICE_READONLY = ALICE.replace('[readwrite]', '[readonly]');

for (const engine of STORE_ENGINES) {
  describe(`API plan / apply / drift (${engine})`, () => {
    let h: ApiHarness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    async function plan(files: unknown): Promise<PolicyPlan> {
      const res = await h!.app.inject({ method: 'POST', url: '/v1/policy/plan', headers: h!.bearer(h!.adminToken), payload: { files } });
      expect(res.statusCode).toBe(200);
      return res.json<PolicyPlan>();
    }

    it('round-trips plan → apply → no drift, in consequences people understand', async () => {
      h = await startApiHarness(engine, testPolicy('files', ALICE));
      expect((await plan(testPolicy('files', ALICE))).hasChanges).toBe(false);

      const change = await plan(testPolicy('files', ALICE_READONLY));
      expect(change.hasChanges).toBe(true);
      expect(change.changes.map((c) => c.text)).toContain('alice@vendor.example loses write on demo');

      const applied = await h.app.inject({ method: 'POST', url: '/v1/policy/apply', headers: h.bearer(h.adminToken), payload: { files: testPolicy('files', ALICE_READONLY) } });
      expect(applied.statusCode).toBe(200);
      expect((await plan(testPolicy('files', ALICE_READONLY))).hasChanges).toBe(false);

      await h.audit.flush();
      const event = await h.store.db.selectFrom('audit_events').selectAll().where('code', '=', 'POLICY_APPLIED').orderBy('seq', 'desc').executeTakeFirstOrThrow();
      const data = JSON.parse(event.data) as { digest: string; changes: { text: string }[] };
      expect(data.digest).toBe(change.digest);
      expect(data.changes.map((c) => c.text)).toContain('alice@vendor.example loses write on demo');
    });

    it('reports a contractor added through the API as drift when the files own contractors', async () => {
      h = await startApiHarness(engine, testPolicy('files', ALICE));
      const invite = await h.app.inject({ method: 'POST', url: '/v1/invites', headers: h.bearer(h.adminToken), payload: { email: 'carol@vendor.example', roles: ['readonly'] } });
      const { code } = invite.json<{ code: string }>();
      expect((await h.app.inject({ method: 'POST', url: '/v1/invites/accept', payload: { code } })).statusCode).toBe(200);

      const drift = await plan(testPolicy('files', ALICE));
      expect(drift.hasChanges).toBe(true);
      expect(drift.changes.some((c) => c.kind === 'contractor.removed' && c.subject === 'carol@vendor.example')).toBe(true);
    });

    it('ignores contractors added through the API when invites own them', async () => {
      h = await startApiHarness(engine, testPolicy('api'));
      const invite = await h.app.inject({ method: 'POST', url: '/v1/invites', headers: h.bearer(h.adminToken), payload: { email: 'carol@vendor.example', roles: ['readonly'] } });
      await h.app.inject({ method: 'POST', url: '/v1/invites/accept', payload: { code: invite.json<{ code: string }>().code } });
      expect((await plan(testPolicy('api'))).hasChanges).toBe(false);
    });

    it('refuses an invalid policy with file and line, records the refusal and keeps the running policy', async () => {
      h = await startApiHarness(engine, testPolicy('files', ALICE));
      const before = h.policy.current()?.digest;
      const broken = [{ path: 'policy.yaml', content: testPolicy('files', ALICE)[0]!.content.replace('actions: [read]', 'actions: [raed]') }];
      const res = await h.app.inject({ method: 'POST', url: '/v1/policy/apply', headers: h.bearer(h.adminToken), payload: { files: broken } });
      expect(res.statusCode).toBe(400);
      const body = res.json<{ error: { code: string; details: { file: string; line: number; field: string }[] } }>();
      expect(body.error.code).toBe('STINT_ERR_POLICY_INVALID');
      expect(body.error.details[0]).toMatchObject({ file: 'policy.yaml', line: 15, field: 'roles.readonly.grants[0].actions[0]' });
      expect(h.policy.current()?.digest).toBe(before);
      await h.audit.flush();
      const codes = (await h.store.db.selectFrom('audit_events').select('code').execute()).map((r) => r.code);
      expect(codes).toContain('POLICY_APPLY_FAILED');
    });

    it('refuses an oversized body and changes nothing', async () => {
      h = await startApiHarness(engine, testPolicy('api'), { bodyLimit: 10_000 });
      const huge = [{ path: 'policy.yaml', content: `${testPolicy('api')[0]!.content}\n# ${'x'.repeat(20_000)}\n` }];
      const res = await h.app.inject({ method: 'POST', url: '/v1/policy/apply', headers: h.bearer(h.adminToken), payload: { files: huge } });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ error: { code: 'STINT_ERR_BODY_TOO_LARGE' } });
      const versions = await h.store.db.selectFrom('policy_versions').select('id').execute();
      expect(versions).toHaveLength(1);
    });
  });
}
