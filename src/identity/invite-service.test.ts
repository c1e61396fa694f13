import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES } from '../../test/support/test-store.ts';
import { isStintError } from '../errors/stint-error.ts';
import { countRows, DAY, HOUR, openIdentityKit, T0, type IdentityKit } from './identity-test-kit.ts';
import { newInviteCode } from './token-format.ts';

const SPONSOR = 'bob@corp.example';

for (const engine of STORE_ENGINES) {
  describe(`InviteService (${engine})`, () => {
    let kit: IdentityKit;
    beforeEach(async () => {
      kit = await openIdentityKit(engine);
    });
    afterEach(async () => {
      await kit.destroy();
    });

    const invite = (email = 'Dana@Vendor.Example', roles = ['readonly'], untilAt?: number) =>
      kit.invites.create({ email, roles, createdBy: SPONSOR, ...(untilAt === undefined ? {} : { untilAt }) });

    it('invite → accept → the token authenticates as that contractor', async () => {
      const created = await invite();
      expect(created).toMatchObject({ email: 'dana@vendor.example', roles: ['readonly'], untilAt: T0 + 30 * DAY, expiresAt: T0 + 72 * HOUR });
      expect(created.code).toMatch(/^stint_inv_/);

      kit.clock.advance(HOUR);
      const accepted = await kit.invites.accept(created.code, { ip: '198.51.100.4' });
      expect(accepted).toMatchObject({ email: 'dana@vendor.example', untilAt: T0 + 30 * DAY, roles: ['readonly'], expiresAt: T0 + 30 * DAY });
      const result = await kit.tokens.authenticate(accepted.token, { via: 'postgres' });
      expect(result).toEqual({
        ok: true,
        principal: { kind: 'contractor', email: 'dana@vendor.example', tokenId: accepted.tokenId, tokenExpiresAt: T0 + 30 * DAY, apiRoles: ['contractor'] },
      });

      expect(await kit.contractors.get('dana@vendor.example')).toMatchObject({ source: 'api', status: 'active', sponsor: SPONSOR, name: '', company: '', roles: ['readonly'] });
      expect(kit.audit.codes()).toEqual(['INVITE_CREATED', 'CONTRACTOR_ADDED', 'TOKEN_CREATED', 'INVITE_ACCEPTED', 'AUTH_SUCCEEDED']);
      const recorded = JSON.stringify(kit.audit.events);
      expect(recorded).not.toContain(created.code);
      expect(recorded).not.toContain(accepted.token);
      const stored = JSON.stringify(await kit.store.db.selectFrom('invites').selectAll().execute());
      expect(stored).not.toContain(created.code);
      expect(stored).not.toContain(created.code.slice('stint_inv_'.length));
    });

    it('caps the token at the engagement end', async () => {
      const { code } = await invite('eve@vendor.example', ['readwrite'], T0 + 2 * DAY);
      // The invite itself cannot outlive the engagement either.
      expect((await kit.invites.list())[0]).toMatchObject({ expiresAt: T0 + 2 * DAY, status: 'pending' });
      const accepted = await kit.invites.accept(code);
      expect(accepted.expiresAt).toBe(T0 + 2 * DAY);
    });

    it('is single-use: a second accept is INVITE_USED, recorded without the code', async () => {
      const { code, id } = await invite();
      await kit.invites.accept(code, { ip: '198.51.100.4' });
      await expect(kit.invites.accept(code, { ip: '203.0.113.5' })).rejects.toMatchObject({ code: 'STINT_ERR_INVITE_USED' });
      const rejected = kit.audit.ofCode('INVITE_REJECTED');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ actor: 'anonymous@203.0.113.5', outcome: 'failure', data: { reason: 'used', inviteId: id } });
      expect(JSON.stringify(rejected)).not.toContain(code);
    });

    it('lets exactly one of 20 concurrent accepts through', async () => {
      const { code } = await invite();
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => kit.invites.accept(code, { ip: `10.0.0.${i}` })));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost.map((e) => (isStintError(e) ? e.code : String(e)))).toEqual(Array<string>(19).fill('STINT_ERR_INVITE_USED'));
      expect(await countRows(kit, 'tokens')).toBe(1);
      expect(await countRows(kit, 'contractors')).toBe(1);
      expect(kit.audit.ofCode('INVITE_ACCEPTED')).toHaveLength(1);
      expect(kit.audit.ofCode('INVITE_REJECTED')).toHaveLength(19);
    });

    it.each([
      ['an expired invite', 'expired', 'STINT_ERR_INVITE_EXPIRED'],
      ['an unknown code', 'unknown', 'STINT_ERR_INVITE_INVALID'],
      ['a malformed code', 'malformed', 'STINT_ERR_INVITE_INVALID'],
      ['a revoked invite', 'revoked', 'STINT_ERR_INVITE_INVALID'],
    ])('rejects %s', async (_label, reason, errorCode) => {
      const created = await invite();
      let code = created.code;
      if (reason === 'expired') kit.clock.advance(72 * HOUR);
      if (reason === 'unknown') code = newInviteCode();
      if (reason === 'malformed') code = 'stint_inv_short';
      if (reason === 'revoked') await kit.invites.revoke(created.id, SPONSOR);
      await expect(kit.invites.accept(code, { ip: '192.0.2.1' })).rejects.toMatchObject({ code: errorCode });
      const event = kit.audit.ofCode('INVITE_REJECTED')[0]!;
      expect(event).toMatchObject({ actor: 'anonymous@192.0.2.1', data: { reason: reason === 'malformed' ? 'unknown' : reason, error: errorCode } });
      expect(await countRows(kit, 'tokens')).toBe(0);
      expect(await countRows(kit, 'contractors')).toBe(0);
    });

    describe('create validation', () => {
      it('refuses roles the policy does not declare, naming the declared ones', async () => {
        const attempt = invite('dana@vendor.example', ['readonly', 'superuser']);
        await expect(attempt).rejects.toMatchObject({ code: 'STINT_ERR_UNKNOWN_ROLE' });
        await expect(attempt).rejects.toThrow(/superuser.*declared roles: readonly, readwrite/);
        await expect(invite('dana@vendor.example', [])).rejects.toMatchObject({ code: 'STINT_ERR_BAD_REQUEST' });
        expect(await countRows(kit, 'invites')).toBe(0);
      });

      it('refuses an engagement end that is not in the future', async () => {
        await expect(invite('dana@vendor.example', ['readonly'], T0 - DAY)).rejects.toMatchObject({ code: 'STINT_ERR_BAD_DATE' });
        await expect(invite('dana@vendor.example', ['readonly'], T0)).rejects.toMatchObject({ code: 'STINT_ERR_BAD_DATE' });
        expect(await countRows(kit, 'invites')).toBe(0);
      });

      it('refuses a bad email and works only once a policy is applied', async () => {
        await expect(invite('not-an-email')).rejects.toMatchObject({ code: 'STINT_ERR_BAD_REQUEST' });
        kit.setPolicy(null);
        await expect(invite()).rejects.toMatchObject({ code: 'STINT_ERR_POLICY_NOT_APPLIED' });
        expect(await countRows(kit, 'invites')).toBe(0);
      });
    });

    describe('existing contractors', () => {
      const fromFiles = { email: 'frank@vendor.example', name: 'Frank', company: 'Vendor', sponsor: 'carol@corp.example', roles: ['readwrite'], untilAt: T0 + 60 * DAY };

      it('leaves an active contractor from the files alone', async () => {
        const before = await kit.contractors.upsertFromFiles(fromFiles, T0 - DAY);
        const { code } = await invite('frank@vendor.example', ['readonly'], T0 + 5 * DAY);
        const accepted = await kit.invites.accept(code);
        expect(await kit.contractors.get(fromFiles.email)).toEqual(before);
        expect(accepted).toMatchObject({ roles: ['readwrite'], untilAt: T0 + 60 * DAY });
        expect(kit.audit.codes()).not.toContain('CONTRACTOR_ADDED');
      });

      it('refuses when the active record says the engagement has ended', async () => {
        await kit.contractors.upsertFromFiles({ ...fromFiles, untilAt: T0 }, T0 - DAY);
        const { code } = await invite('frank@vendor.example');
        await expect(kit.invites.accept(code)).rejects.toMatchObject({ code: 'STINT_ERR_ENGAGEMENT_ENDED' });
        expect((await kit.invites.list({ pending: true })).map((i) => i.email)).toEqual(['frank@vendor.example']);
      });

      it('re-onboards an offboarded contractor with the invite’s roles and end', async () => {
        await kit.contractors.upsertFromFiles(fromFiles, T0 - DAY);
        await kit.contractors.remove(fromFiles.email, T0 - 1);
        const { code } = await invite('frank@vendor.example', ['readonly'], T0 + 5 * DAY);
        const accepted = await kit.invites.accept(code);
        expect(accepted).toMatchObject({ roles: ['readonly'], untilAt: T0 + 5 * DAY });
        expect(await kit.contractors.get(fromFiles.email)).toMatchObject({ status: 'active', source: 'api', sponsor: SPONSOR, roles: ['readonly'], offboardedAt: null, name: 'Frank' });
        expect(kit.audit.ofCode('CONTRACTOR_ADDED')[0]!.data).toMatchObject({ reactivated: true });
      });
    });

    describe('list and revoke', () => {
      it('lists without code hashes and filters pending ones', async () => {
        const a = await invite('a@vendor.example');
        kit.clock.advance(1);
        const b = await invite('b@vendor.example');
        kit.clock.advance(1);
        const c = await invite('c@vendor.example');
        await kit.invites.accept(a.code);
        await kit.invites.revoke(b.id, SPONSOR);
        const all = await kit.invites.list();
        expect(all.map((i) => [i.email, i.status])).toEqual([
          ['a@vendor.example', 'accepted'],
          ['b@vendor.example', 'revoked'],
          ['c@vendor.example', 'pending'],
        ]);
        expect(JSON.stringify(all)).not.toMatch(/code_hash|[0-9a-f]{64}/);
        expect((await kit.invites.list({ pending: true })).map((i) => i.id)).toEqual([c.id]);
        kit.clock.advance(72 * HOUR);
        expect(await kit.invites.list({ pending: true })).toEqual([]);
        expect((await kit.invites.list()).at(-1)!.status).toBe('expired');
      });

      it('revokes once, refuses accepted and unknown invites', async () => {
        const { id, code } = await invite();
        expect(await kit.invites.revoke(id, SPONSOR)).toMatchObject({ status: 'revoked', alreadyRevoked: false });
        expect(await kit.invites.revoke(id, SPONSOR)).toMatchObject({ status: 'revoked', alreadyRevoked: true });
        expect(kit.audit.ofCode('INVITE_REVOKED')).toHaveLength(1);
        await expect(kit.invites.accept(code)).rejects.toMatchObject({ code: 'STINT_ERR_INVITE_INVALID' });

        const used = await invite('other@vendor.example');
        await kit.invites.accept(used.code);
        await expect(kit.invites.revoke(used.id, SPONSOR)).rejects.toMatchObject({ code: 'STINT_ERR_INVITE_USED' });
        await expect(kit.invites.revoke('inv_0000000000000000', SPONSOR)).rejects.toMatchObject({ code: 'STINT_ERR_NOT_FOUND' });
      });
    });
  });
}
