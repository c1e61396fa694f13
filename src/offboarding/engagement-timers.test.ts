import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, BOB, logger, startOffboardingKit, waitFor, type OffboardingKit } from '../../test/support/offboarding-kit.ts';
import { STORE_ENGINES } from '../../test/support/test-store.ts';
import { systemClock } from '../time/clock.ts';
import { EngagementTimers } from './engagement-timers.ts';
import { OffboardingService } from './offboarding-service.ts';

const FAR = '2099-03-31';
const iso = (ms: number): string => new Date(ms).toISOString();

for (const engine of STORE_ENGINES) {
  describe(`engagement end (${engine})`, () => {
    let kit: OffboardingKit | undefined;
    const extra: EngagementTimers[] = [];
    afterEach(async () => {
      for (const timers of extra.splice(0)) timers.stop();
      await kit?.close();
      kit = undefined;
    });

    it('offboards at the until instant by a timer: sessions on every node closed within 1 s, everything revoked', async () => {
      const until = Date.now() + 1500;
      kit = await startOffboardingKit(engine, [
        { email: ALICE, until: iso(until) },
        { email: BOB, until: FAR },
      ]);
      const { plane } = kit;
      const token = await plane.tokens.create({ subject: ALICE, kind: 'contractor', createdBy: ADMIN });
      const invite = await plane.invites.create({ email: ALICE, roles: ['readonly'], createdBy: ADMIN, untilAt: until });
      const { requestId, grantId } = await kit.requestAndGrant(ALICE);
      const here = await kit.open(plane.sessions, ALICE, token.id);
      const alsoHere = await kit.open(plane.sessions, ALICE, token.id, 'reporting');
      const there = await kit.open(kit.otherNode, ALICE, token.id);
      await plane.engagements.start();
      expect(plane.engagements.armed()).toEqual(new Map([[ALICE, until], [BOB, Date.parse('2099-04-01T00:00:00Z')]]));

      await waitFor(() => here.ended !== null && alsoHere.ended !== null && there.ended !== null, 4000);
      for (const connection of [here, alsoHere, there]) {
        expect(connection.ended!.at).toBeGreaterThanOrEqual(until);
        expect(connection.ended!.at - until).toBeLessThan(1000);
      }
      expect(here.ended).toMatchObject({ reason: 'expired', message: `Your engagement is over: the engagement ended at ${iso(until)}. Your session on demo was closed.` });
      expect(there.ended).toMatchObject({ reason: 'killed', message: expect.stringContaining(`your engagement is over (the engagement ended at ${iso(until)})`) as string });

      await expect.poll(async () => (await plane.contractors.get(ALICE))?.status).toBe('offboarded');
      // Her token and the invite were bounded by the engagement end: they lapsed at that instant, nothing to revoke.
      expect(await plane.tokens.list({ subject: ALICE })).toEqual([]);
      expect((await plane.invites.list()).find((i) => i.id === invite.id)?.status).toBe('expired');
      expect((await kit.store.db.selectFrom('access_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status).toBe('cancelled');
      expect((await kit.store.db.selectFrom('grants').select('revoked_by').where('id', '=', grantId).executeTakeFirstOrThrow()).revoked_by).toBe('system:engagement');
      const event = await kit.store.db.selectFrom('audit_events').select(['actor', 'summary', 'data']).where('code', '=', 'CONTRACTOR_OFFBOARDED').executeTakeFirstOrThrow();
      expect(event.actor).toBe('system:engagement');
      expect(event.summary).toContain(`${ALICE} was offboarded at the end of the engagement: the engagement ended at ${iso(until)}.`);
      expect(JSON.parse(event.data)).toMatchObject({ cause: 'engagement_ended', access: [{ resource: 'demo', actions: ['read', 'write'] }, { resource: 'reporting', actions: ['write'] }] });
      const codes = await kit.codes();
      expect(codes).toEqual(expect.arrayContaining(['GRANT_REVOKED', 'REQUEST_CANCELLED', 'SESSION_KILL_REQUESTED', 'CONTRACTOR_OFFBOARDED']));
      expect(kit.events.filter((e) => e.type === 'contractor.offboarded')).toEqual([expect.objectContaining({ email: ALICE, cause: 'engagement_ended' })]);
      // Bob goes on; Alice's timer is gone.
      expect([...plane.engagements.armed().keys()]).toEqual([BOB]);
      expect(await plane.contractors.get(BOB)).toMatchObject({ status: 'active' });

      // The files still name her with the same end: applying them again does not bring her back.
      await kit.apply([
        { email: ALICE, until: iso(until) },
        { email: BOB, until: FAR },
      ]);
      expect(await plane.contractors.get(ALICE)).toMatchObject({ status: 'offboarded' });
    });

    it('lets exactly one node do the work when two nodes fire at the same instant', async () => {
      // Room for setting up two nodes on a loaded machine before the engagement ends.
      const until = Date.now() + 4000;
      kit = await startOffboardingKit(engine, [{ email: ALICE, until: iso(until) }]);
      const { plane, store, otherNode } = kit;
      const token = await plane.tokens.create({ subject: ALICE, kind: 'contractor', createdBy: ADMIN });
      const here = await kit.open(plane.sessions, ALICE, token.id);
      const there = await kit.open(otherNode, ALICE, token.id);
      await kit.requestAndGrant(ALICE);
      const offboardingB = new OffboardingService({ store, audit: plane.audit, clock: systemClock, logger, contractors: plane.contractors, sessions: otherNode, policy: () => plane.policy.current()?.compiled ?? null });
      const timersB = new EngagementTimers({ store, clock: systemClock, logger, offboarding: offboardingB, access: plane.access });
      extra.push(timersB);
      await Promise.all([plane.engagements.start(), timersB.start()]);
      await waitFor(() => here.ended !== null && there.ended !== null, 8000);
      expect(Math.max(here.ended!.at, there.ended!.at) - until).toBeLessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const codes = await kit.codes();
      expect(codes.filter((c) => c === 'CONTRACTOR_OFFBOARDED')).toHaveLength(1);
      expect(codes.filter((c) => c === 'GRANT_REVOKED')).toHaveLength(1);
      expect(codes.filter((c) => c === 'REQUEST_CANCELLED')).toHaveLength(1);
    });

    it('offboards at start those whose end passed while no server ran, and re-arms when the end moves', async () => {
      const past = Date.now() - 60_000;
      const soon = Date.now() + 700;
      kit = await startOffboardingKit(engine, [
        { email: ALICE, until: iso(past) },
        { email: BOB, until: iso(soon) },
      ]);
      const { plane } = kit;
      // Bob's engagement is extended before his end comes.
      await kit.apply([
        { email: ALICE, until: iso(past) },
        { email: BOB, until: FAR },
      ]);
      await plane.engagements.start();
      await expect.poll(async () => (await plane.contractors.get(ALICE))?.status).toBe('offboarded');
      expect(plane.engagements.armed().get(BOB)).toBe(Date.parse('2099-04-01T00:00:00Z'));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, soon - Date.now()) + 400));
      expect(await plane.contractors.get(BOB)).toMatchObject({ status: 'active' });
      expect((await kit.codes()).filter((c) => c === 'CONTRACTOR_OFFBOARDED')).toHaveLength(1);
    });

    it('does not offboard when the record says the end moved, even if a stale timer fires', async () => {
      kit = await startOffboardingKit(engine, [{ email: ALICE, until: FAR }]);
      expect(await kit.plane.offboarding.endEngagement(ALICE)).toBeNull();
      expect(await kit.plane.contractors.get(ALICE)).toMatchObject({ status: 'active' });
      expect(await kit.plane.offboarding.endEngagement('nobody@vendor.example')).toBeNull();
    });
  });
}
