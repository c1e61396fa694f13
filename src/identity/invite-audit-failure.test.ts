import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES } from '../../test/support/test-store.ts';
import type { AuditCode } from '../audit/audit-codes.ts';
import { countRows, DAY, openIdentityKit, T0, type IdentityKit } from './identity-test-kit.ts';

const SPONSOR = 'bob@corp.example';

/** An invite whose acceptance must leave no trace when any of its records cannot be written. */
for (const engine of STORE_ENGINES) {
  describe(`InviteService when the audit log refuses (${engine})`, () => {
    let kit: IdentityKit;
    beforeEach(async () => {
      kit = await openIdentityKit(engine);
    });
    afterEach(async () => {
      await kit.destroy();
    });

    async function pendingInvites(): Promise<string[]> {
      return (await kit.invites.list({ pending: true })).map((i) => i.id);
    }

    it('creates no invite', async () => {
      kit.audit.failWhen(true);
      await expect(kit.invites.create({ email: 'dana@vendor.example', roles: ['readonly'], createdBy: SPONSOR })).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
      expect(await countRows(kit, 'invites')).toBe(0);
    });

    it.each<AuditCode>(['CONTRACTOR_ADDED', 'TOKEN_CREATED', 'INVITE_ACCEPTED'])('undoes the whole acceptance when %s cannot be written', async (failing) => {
      const { id, code } = await kit.invites.create({ email: 'dana@vendor.example', roles: ['readonly'], createdBy: SPONSOR });
      kit.audit.failWhen((event) => event.code === failing);
      await expect(kit.invites.accept(code)).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
      expect(await countRows(kit, 'contractors')).toBe(0);
      expect(await countRows(kit, 'tokens')).toBe(0);
      expect(await pendingInvites()).toEqual([id]);

      // Once the log works again the same code still opens the door.
      kit.audit.failWhen(false);
      const accepted = await kit.invites.accept(code);
      expect((await kit.tokens.authenticate(accepted.token, { via: 'api' })).ok).toBe(true);
    });

    it('puts an offboarded contractor back as they were', async () => {
      await kit.contractors.upsertFromFiles({ email: 'frank@vendor.example', name: 'Frank', company: 'V', sponsor: 'carol@corp.example', roles: ['readwrite'], untilAt: T0 + DAY }, T0 - 2);
      await kit.contractors.remove('frank@vendor.example', T0 - 1);
      const before = await kit.contractors.get('frank@vendor.example');
      const { code } = await kit.invites.create({ email: 'frank@vendor.example', roles: ['readonly'], createdBy: SPONSOR });
      kit.audit.failWhen((event) => event.code === 'INVITE_ACCEPTED');
      await expect(kit.invites.accept(code)).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
      expect(await kit.contractors.get('frank@vendor.example')).toEqual(before);
      expect(await countRows(kit, 'tokens')).toBe(0);
    });

    it('reports a rejection it cannot record as the audit failure', async () => {
      kit.audit.failWhen(true);
      await expect(kit.invites.accept('stint_inv_unknown')).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
    });

    it('revokes nothing', async () => {
      const { id } = await kit.invites.create({ email: 'dana@vendor.example', roles: ['readonly'], createdBy: SPONSOR });
      kit.audit.failWhen(true);
      await expect(kit.invites.revoke(id, SPONSOR)).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
      expect(await pendingInvites()).toEqual([id]);
    });
  });
}
