import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, BOB, startOffboardingKit, waitFor, type OffboardingKit } from '../../test/support/offboarding-kit.ts';
import { STORE_ENGINES } from '../../test/support/test-store.ts';

const FAR = '2099-03-31';

for (const engine of STORE_ENGINES) {
  describe(`offboarding (${engine})`, () => {
    let kit: OffboardingKit | undefined;
    afterEach(async () => {
      await kit?.close();
      kit = undefined;
    });

    it('revokes everything, ends every session on every node within 1 s, and reports what they had and did', async () => {
      kit = await startOffboardingKit(engine, [
        { email: ALICE, until: FAR },
        { email: BOB, until: FAR },
      ]);
      const { plane, store, otherNode } = kit;
      const token = await plane.tokens.create({ subject: ALICE, kind: 'contractor', createdBy: ADMIN, label: 'laptop' });
      const invite = await plane.invites.create({ email: ALICE, roles: ['readonly'], createdBy: ADMIN });
      const { requestId, grantId } = await kit.requestAndGrant(ALICE);
      const bobToken = await plane.tokens.create({ subject: BOB, kind: 'contractor', createdBy: ADMIN });

      const here = await kit.open(plane.sessions, ALICE, token.id);
      const alsoHere = await kit.open(plane.sessions, ALICE, token.id, 'reporting');
      const there = await kit.open(otherNode, ALICE, token.id);
      const bobs = await kit.open(plane.sessions, BOB, bobToken.id);
      here.live!.statements = 4;
      await plane.audit.append({ code: 'STATEMENT_ALLOWED', actor: ALICE, resource: 'demo', subject: here.live!.id, summary: 'select', data: { session: here.live!.id, text: 'select * from invoices' } });
      await plane.audit.append({ code: 'STATEMENT_DENIED', actor: ALICE, resource: 'demo', subject: here.live!.id, summary: 'denied', data: { session: here.live!.id, text: 'drop table invoices' } });

      const started = Date.now();
      const report = await plane.offboarding.offboard(ALICE, { by: ADMIN, reason: 'contract over', cause: 'manual' });
      await waitFor(() => here.ended !== null && alsoHere.ended !== null && there.ended !== null, 1000);
      expect(Math.max(here.ended!.at, alsoHere.ended!.at, there.ended!.at) - started).toBeLessThan(1000);
      for (const connection of [here, alsoHere]) {
        expect(connection.ended).toMatchObject({ reason: 'killed', message: expect.stringContaining('You were offboarded by admin@corp.example: contract over.') as string });
      }
      expect(there.ended).toMatchObject({ reason: 'killed', message: expect.stringContaining('you were offboarded (contract over)') as string });
      expect(bobs.ended).toBeNull();

      expect(report).toMatchObject({ email: ALICE, cause: 'manual', by: ADMIN, reason: 'contract over', alreadyOffboarded: false });
      expect(report.revoked).toEqual({
        tokens: [token.id],
        grants: [grantId],
        requests: [requestId],
        invites: [invite.id],
        sessionsEnded: [here.live!.id, alsoHere.live!.id].sort(),
        sessionsKillRequested: [there.live!.id],
      });
      expect(report.had.roles).toEqual(['readwrite']);
      expect(report.had.access).toEqual([
        { resource: 'demo', actions: ['read', 'write'], via: ['role:readwrite'] },
        { resource: 'reporting', actions: ['write'], via: [`grant:${grantId}`] },
      ]);
      expect(report.had.tokens).toEqual([expect.objectContaining({ id: token.id, label: 'laptop' })]);
      expect(report.had.grants).toEqual([expect.objectContaining({ id: grantId, resource: 'reporting', actions: ['write'] })]);
      expect(report.had.pendingRequests).toEqual([expect.objectContaining({ id: requestId, resource: 'demo', actions: ['write'] })]);
      expect(report.had.invites).toEqual([expect.objectContaining({ id: invite.id, roles: ['readonly'], createdBy: ADMIN })]);
      expect(report.did.sessions).toMatchObject({ count: 3, statements: 4, resources: ['demo', 'reporting'] });
      expect(report.did.auditCounts).toMatchObject({ SESSION_STARTED: 3, STATEMENT_ALLOWED: 1, STATEMENT_DENIED: 1 });
      expect(report.did.lastStatements.map((s) => [s.code, s.text])).toEqual([
        ['STATEMENT_DENIED', 'drop table invoices'],
        ['STATEMENT_ALLOWED', 'select * from invoices'],
      ]);

      // Everything is revoked in the store.
      expect(await plane.contractors.get(ALICE)).toMatchObject({ status: 'offboarded' });
      expect(await plane.tokens.list({ subject: ALICE })).toEqual([]);
      expect((await plane.invites.list({ pending: true })).map((i) => i.id)).toEqual([]);
      expect(await store.db.selectFrom('access_requests').select(['status', 'decided_by']).where('id', '=', requestId).executeTakeFirst()).toEqual({ status: 'cancelled', decided_by: ADMIN });
      expect(await store.db.selectFrom('grants').select(['revoked_by', 'revoked_reason']).where('id', '=', grantId).executeTakeFirst()).toEqual({ revoked_by: ADMIN, revoked_reason: 'contract over' });
      const auth = await plane.tokens.authenticate(token.token, { ip: '127.0.0.1', via: 'api' });
      expect(auth.ok).toBe(false);
      // Bob keeps everything.
      expect(await plane.tokens.list({ subject: BOB })).toHaveLength(1);

      // Each step is on the record, and every session's end too.
      await waitFor(() => plane.sessions.live().filter((s) => s.start.contractor === ALICE).length === 0 && otherNode.live().length === 0, 2000);
      const codes = await kit.codes();
      const after = codes.slice(codes.lastIndexOf('STATEMENT_DENIED') + 1);
      expect(after.slice(0, 6)).toEqual(['TOKEN_REVOKED', 'GRANT_REVOKED', 'REQUEST_CANCELLED', 'INVITE_REVOKED', 'SESSION_KILL_REQUESTED', 'CONTRACTOR_OFFBOARDED']);
      await expect.poll(async () => (await kit!.codes()).filter((c) => c === 'SESSION_ENDED').length).toBe(3);
      const offboarded = await store.db.selectFrom('audit_events').select(['actor', 'subject', 'summary', 'data']).where('code', '=', 'CONTRACTOR_OFFBOARDED').executeTakeFirstOrThrow();
      expect(offboarded).toMatchObject({ actor: ADMIN, subject: ALICE });
      expect(offboarded.summary).toBe(`${ALICE} was offboarded by ${ADMIN}: contract over. Revoked 1 token(s), 1 grant(s), 1 pending request(s), 1 invite(s); 3 live session(s) ended.`);
      expect(JSON.parse(offboarded.data)).toMatchObject({ cause: 'manual', roles: ['readwrite'], revoked: { tokens: [token.id], grants: [grantId], requests: [requestId], invites: [invite.id] } });

      // Announced once, for webhooks and anyone else listening.
      expect(kit.events.filter((e) => e.type === 'contractor.offboarded')).toEqual([expect.objectContaining({ email: ALICE, by: ADMIN, reason: 'contract over', cause: 'manual' })]);
      expect(kit.events.filter((e) => e.type === 'grant.revoked')).toEqual([expect.objectContaining({ by: ADMIN, grant: expect.objectContaining({ id: grantId }) as unknown })]);
      expect(kit.events.filter((e) => e.type === 'session.killed').map((e) => e.type === 'session.killed' && e.session)).toEqual([there.live!.id]);
      // The access index no longer lets Alice in.
      await expect.poll(() => plane.access.decide({ email: ALICE, tokenExpiresAt: null }, 'demo', 'read').reason).toBe('DENY_OFFBOARDED');
    });

    it('is idempotent: a second offboarding reports "already offboarded" and revokes nothing', async () => {
      kit = await startOffboardingKit(engine, [{ email: ALICE, until: FAR }]);
      const first = await kit.plane.offboarding.offboard(ALICE, { by: ADMIN, cause: 'manual' });
      expect(first).toMatchObject({ alreadyOffboarded: false, reason: 'no reason given' });
      const before = await kit.codes();
      const second = await kit.plane.offboarding.offboard('Alice@Vendor.Example', { by: 'other@corp.example', reason: 'again', cause: 'manual' });
      expect(second).toMatchObject({ email: ALICE, alreadyOffboarded: true, offboardedAt: first.offboardedAt });
      expect(second.revoked).toEqual({ tokens: [], grants: [], requests: [], invites: [], sessionsEnded: [], sessionsKillRequested: [] });
      expect(await kit.codes()).toEqual(before);
      expect(kit.events.filter((e) => e.type === 'contractor.offboarded')).toHaveLength(1);
    });

    it('lets exactly one of two concurrent offboardings do the work', async () => {
      kit = await startOffboardingKit(engine, [{ email: ALICE, until: FAR }]);
      await kit.plane.tokens.create({ subject: ALICE, kind: 'contractor', createdBy: ADMIN });
      const reports = await Promise.all([
        kit.plane.offboarding.offboard(ALICE, { by: ADMIN, reason: 'one', cause: 'manual' }),
        kit.plane.offboarding.offboard(ALICE, { by: 'other@corp.example', reason: 'two', cause: 'manual' }),
      ]);
      expect(reports.map((r) => r.alreadyOffboarded).sort()).toEqual([false, true]);
      expect(reports.flatMap((r) => r.revoked.tokens)).toHaveLength(1);
      expect((await kit.codes()).filter((c) => c === 'CONTRACTOR_OFFBOARDED')).toHaveLength(1);
    });

    it('refuses an unknown contractor', async () => {
      kit = await startOffboardingKit(engine, []);
      await expect(kit.plane.offboarding.offboard('nobody@vendor.example', { by: ADMIN, cause: 'manual' })).rejects.toMatchObject({ code: 'STINT_ERR_UNKNOWN_CONTRACTOR' });
    });

    it('offboards a contractor removed from the policy files, after the apply commits', async () => {
      kit = await startOffboardingKit(engine, [
        { email: ALICE, until: FAR },
        { email: BOB, until: FAR },
      ]);
      const { plane, store } = kit;
      const token = await plane.tokens.create({ subject: ALICE, kind: 'contractor', createdBy: ADMIN });
      await plane.invites.create({ email: ALICE, roles: ['readonly'], createdBy: ADMIN });
      const { requestId, grantId } = await kit.requestAndGrant(ALICE);
      const here = await kit.open(plane.sessions, ALICE, token.id);
      const alsoHere = await kit.open(plane.sessions, ALICE, token.id);
      const there = await kit.open(kit.otherNode, ALICE, token.id);

      const started = Date.now();
      await kit.apply([{ email: BOB, until: FAR }]);
      await waitFor(() => here.ended !== null && alsoHere.ended !== null && there.ended !== null, 1000);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(here.ended?.message).toMatch(/^You were removed from the access policy by system:test \(removed from the policy files \(policy [0-9a-f]{12}\)\); your session on demo was closed\.$/);
      // The apply revoked her tokens before this node wrote the kill request: the other node may have seen either first.
      expect(['killed', 'token_revoked']).toContain(there.ended?.reason);

      expect(await plane.contractors.get(ALICE)).toMatchObject({ status: 'offboarded' });
      expect(await plane.tokens.list({ subject: ALICE })).toEqual([]);
      expect(await plane.invites.list({ pending: true })).toEqual([]);
      expect((await store.db.selectFrom('access_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status).toBe('cancelled');
      expect((await store.db.selectFrom('grants').select('revoked_at').where('id', '=', grantId).executeTakeFirstOrThrow()).revoked_at).not.toBeNull();
      // Sessions end (SESSION_ENDED) while the rest is recorded; the order of the offboarding's own records is fixed.
      const codes = (await kit.codes()).filter((c) => c !== 'SESSION_ENDED');
      const applied = codes.lastIndexOf('POLICY_APPLIED');
      expect(codes.slice(applied - 1, applied + 1)).toEqual(['CONTRACTOR_REMOVED', 'POLICY_APPLIED']);
      expect(codes.slice(applied + 1)).toEqual(expect.arrayContaining(['GRANT_REVOKED', 'REQUEST_CANCELLED', 'INVITE_REVOKED', 'CONTRACTOR_OFFBOARDED']));
      expect(codes.slice(applied + 1).indexOf('CONTRACTOR_OFFBOARDED')).toBe(codes.length - applied - 2);
      const offboarded = await store.db.selectFrom('audit_events').select(['summary', 'data']).where('code', '=', 'CONTRACTOR_OFFBOARDED').executeTakeFirstOrThrow();
      expect(offboarded.summary).toMatch(/was offboarded by a policy apply of system:test: .*Revoked 1 token\(s\), 1 grant\(s\)/);
      // What she had is read against the policy before the apply.
      expect(JSON.parse(offboarded.data)).toMatchObject({ cause: 'policy_removed', access: [{ resource: 'demo', actions: ['read', 'write'] }, { resource: 'reporting', actions: ['write'] }] });
      expect(kit.events.map((e) => e.type)).toEqual(expect.arrayContaining(['contractor.offboarded', 'policy.applied']));
      expect(kit.events.filter((e) => e.type === 'contractor.offboarded')).toEqual([expect.objectContaining({ email: ALICE, cause: 'policy_removed', by: 'system:test' })]);

      // Re-applying the same files changes nothing more; declaring her again brings her back.
      await kit.apply([{ email: BOB, until: FAR }]);
      expect((await kit.codes()).filter((c) => c === 'CONTRACTOR_OFFBOARDED')).toHaveLength(1);
      await kit.apply([
        { email: ALICE, until: FAR },
        { email: BOB, until: FAR },
      ]);
      expect(await plane.contractors.get(ALICE)).toMatchObject({ status: 'active' });
    });
  });
}
