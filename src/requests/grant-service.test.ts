import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES } from '../../test/support/test-store.ts';
import { StintError } from '../errors/stint-error.ts';
import type { SessionEndReason } from '../sessions/session-types.ts';
import { ManualClock } from '../time/clock.ts';
import { ALICE, AUDREY, BOB, CARL, ERIN, HOUR, MINUTE, openRequestKit, requestPolicy, T0, type RequestKit } from './request-test-kit.ts';

async function failure(work: Promise<unknown>): Promise<StintError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof StintError) return error;
    throw error;
  }
  throw new Error('expected a StintError');
}

for (const engine of STORE_ENGINES) {
  describe(`grants and live enforcement (${engine})`, () => {
    let kit: RequestKit;
    let clock: ManualClock;
    beforeEach(async () => {
      clock = new ManualClock(T0);
      kit = await openRequestKit(engine, { clock });
    });
    afterEach(async () => kit.destroy());

    async function grantDemoWrite(who = ALICE, durationMs = HOUR) {
      const request = await kit.plane.requests.create(who, { resource: 'demo', actions: ['write'], durationMs });
      const { grant } = await kit.plane.requests.approve(request.id, ERIN);
      if (grant === null) throw new Error('expected a grant');
      return grant;
    }

    /** A live session as a proxy would open it, recording how it was ended. */
    async function openSession(contractor: string, resource: string, expiresAt: number | null) {
      const ended: { reason: SessionEndReason; message: string }[] = [];
      const session = await kit.plane.sessions.open(
        { protocol: 'postgres', contractor, resource, clientAddress: '127.0.0.1', tls: false, tokenId: 'tok_test', expiresAt },
        { terminate: (reason, message) => void ended.push({ reason, message }) },
      );
      return { session, ended };
    }

    it('caps a grant at the engagement end', async () => {
      clock.set('2026-12-01T11:30:00Z');
      const grant = await grantDemoWrite(BOB, HOUR);
      expect(grant.expiresAt).toBe(Date.parse('2026-12-01T12:00:00Z'));
      expect((await kit.audit('GRANT_CREATED'))[0]?.summary).toContain('capped by the engagement end');
    });

    it('revokes a grant: access ends at once, the revocation is audited and announced, a second revoke changes nothing', async () => {
      const grant = await grantDemoWrite();
      expect(kit.plane.access.decide({ email: ALICE.email, tokenExpiresAt: null }, 'demo', 'write').allow).toBe(true);
      expect((await failure(kit.plane.grants.revoke(grant.id, AUDREY, 'no'))).code).toBe('STINT_ERR_NOT_APPROVER');
      expect((await failure(kit.plane.grants.revoke(grant.id, CARL))).code).toBe('STINT_ERR_NOT_APPROVER');
      const revoked = await kit.plane.grants.revoke(grant.id, ERIN, 'done early');
      expect(revoked).toMatchObject({ status: 'revoked', revokedBy: 'erin@corp.example', revokedReason: 'done early', alreadyEnded: false });
      expect(kit.plane.access.decide({ email: ALICE.email, tokenExpiresAt: null }, 'demo', 'write')).toMatchObject({ allow: false, reason: 'DENY_NO_GRANT' });
      expect((await kit.plane.grants.revoke(grant.id, ERIN)).alreadyEnded).toBe(true);
      expect((await kit.audit('GRANT_REVOKED')).map((e) => [e.actor, e.data.reason])).toEqual([['erin@corp.example', 'done early']]);
      expect(kit.events.filter((e) => e.type === 'grant.revoked')).toMatchObject([{ by: 'erin@corp.example', reason: 'done early', grant: { id: grant.id } }]);
      expect((await kit.plane.grants.list(ALICE)).map((g) => g.id)).toEqual([]);
      expect((await kit.plane.grants.list(ALICE, { all: true })).map((g) => g.status)).toEqual(['revoked']);
      expect((await kit.plane.grants.list(CARL, { all: true })).map((g) => g.id)).toEqual([]);
    });

    it('records a grant’s end once, at its instant, and announces it', async () => {
      const grant = await grantDemoWrite(ALICE, 30 * MINUTE);
      expect(await kit.plane.grants.recordExpiry(grant.id)).toBe(false);
      clock.advance(30 * MINUTE);
      expect(kit.plane.access.decide({ email: ALICE.email, tokenExpiresAt: null }, 'demo', 'write').allow).toBe(false);
      await kit.plane.requests.sync();
      expect(await kit.plane.grants.recordExpiry(grant.id)).toBe(false);
      expect((await kit.audit('GRANT_EXPIRED')).map((e) => [e.subject, e.data.grant])).toEqual([[ALICE.email, grant.id]]);
      expect(kit.events.filter((e) => e.type === 'grant.expired')).toHaveLength(1);
      expect((await kit.plane.grants.list(ALICE, { all: true }))[0]?.status).toBe('expired');
    });

    it('keeps a session with role access when its grant is revoked, and ends one whose only access was the grant', async () => {
      const aliceGrant = await grantDemoWrite(ALICE);
      const carlGrant = await grantDemoWrite(CARL);
      // Alice reads demo through her role until 2099; Carl reaches demo only through his grant.
      const alice = await openSession(ALICE.email, 'demo', T0 + HOUR);
      const carl = await openSession(CARL.email, 'demo', T0 + HOUR);
      await kit.plane.access.refresh();
      expect(alice.session.expiresAt).toBe(Date.parse('2099-04-01T00:00:00Z'));
      expect(carl.session.expiresAt).toBe(carlGrant.expiresAt);

      await kit.plane.grants.revoke(aliceGrant.id, ERIN, 'enough');
      await kit.plane.grants.revoke(carlGrant.id, ERIN, 'enough');
      expect(alice.ended).toEqual([]);
      expect(carl.ended).toHaveLength(1);
      expect(carl.ended[0]?.reason).toBe('access_lost');
      expect(carl.ended[0]?.message).toContain('no longer have any access to demo');
      await carl.session.finish('access_lost');
      await alice.session.finish('client_closed');
      const ends = await kit.audit('SESSION_ENDED');
      expect(ends.map((e) => [e.actor, e.data.reason])).toEqual([
        [CARL.email, 'access_lost'],
        [ALICE.email, 'client_closed'],
      ]);
    });

    it('sets a live session’s expiry from the access it still has, and ends one on a resource its holder cannot reach', async () => {
      const carl = await openSession(CARL.email, 'billing', null);
      await kit.plane.access.refresh();
      expect(carl.session.expiresAt).toBe(Date.parse('2099-04-01T00:00:00Z'));
      // A session on a resource the contractor cannot reach at all is ended by the next refresh.
      const stray = await openSession(CARL.email, 'demo', null);
      await kit.plane.access.refresh();
      expect(stray.ended.map((e) => e.reason)).toEqual(['access_lost']);
      expect(carl.ended).toEqual([]);
      await stray.session.finish('access_lost');
      await carl.session.finish('client_closed');
    });
  });
}

describe('pending request expiry by its timer', () => {
  it('expires a request at its instant without any sweep, once, and announces it', async () => {
    const kit = await openRequestKit('sqlite', { clock: { now: () => Date.now() }, policy: requestPolicy({ requestTtl: '300ms' }) });
    try {
      const request = await kit.plane.requests.create(ALICE, { resource: 'demo', actions: ['write'], durationMs: HOUR });
      expect(request.expiresAt - request.createdAt).toBe(300);
      expect((await kit.plane.requests.get(request.id, ALICE)).status).toBe('pending');
      await new Promise((resolve) => setTimeout(resolve, 700));
      const codes = (await kit.audit('REQUEST_EXPIRED')).map((e) => e.subject);
      expect(codes).toEqual([request.id]);
      expect(kit.events.filter((e) => e.type === 'request.expired').map((e) => (e.type === 'request.expired' ? e.request.id : ''))).toEqual([request.id]);
      const row = await kit.store.db.selectFrom('access_requests').select(['status', 'decided_by']).where('id', '=', request.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'expired', decided_by: 'system:expiry' });
    } finally {
      await kit.destroy();
    }
  });
});
