import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import type { FileContractor } from '../policy/policy-types.ts';
import { ContractorRepository } from './contractor-repository.ts';
import { DAY, T0 } from './identity-test-kit.ts';

const alice: FileContractor = {
  email: 'Alice@Vendor.Example',
  name: 'Alice',
  company: 'Vendor',
  sponsor: 'Bob@Corp.Example',
  roles: ['readwrite', 'readonly'],
  untilAt: T0 + 90 * DAY,
};

for (const engine of STORE_ENGINES) {
  describe(`ContractorRepository (${engine})`, () => {
    let store: TestStore;
    let repo: ContractorRepository;
    beforeEach(async () => {
      store = await openTestStore(engine);
      repo = new ContractorRepository({ store });
    });
    afterEach(async () => {
      await store.destroy();
    });

    it('upserts from the files with lower-cased emails and role order kept', async () => {
      const added = await repo.upsertFromFiles(alice, T0);
      expect(added).toEqual({
        email: 'alice@vendor.example',
        name: 'Alice',
        company: 'Vendor',
        sponsor: 'bob@corp.example',
        roles: ['readwrite', 'readonly'],
        untilAt: T0 + 90 * DAY,
        source: 'files',
        status: 'active',
        createdAt: T0,
        updatedAt: T0,
        offboardedAt: null,
      });
      const raw = await store.db.selectFrom('contractors').select('roles').executeTakeFirstOrThrow();
      expect(JSON.parse(raw.roles)).toEqual(['readwrite', 'readonly']);
      expect(await repo.get('ALICE@vendor.example')).toEqual(added);

      const updated = await repo.upsertFromFiles({ ...alice, roles: ['readonly'], untilAt: T0 + 10 * DAY }, T0 + 1000);
      expect(updated).toMatchObject({ roles: ['readonly'], untilAt: T0 + 10 * DAY, createdAt: T0, updatedAt: T0 + 1000 });
      expect(await repo.list()).toHaveLength(1);
    });

    it('offboards without deleting, and the files re-activate', async () => {
      await repo.upsertFromFiles(alice, T0);
      expect(await repo.remove('alice@VENDOR.example', T0 + 5)).toBe(true);
      expect(await repo.remove('alice@vendor.example', T0 + 6)).toBe(false);
      expect(await repo.get('alice@vendor.example')).toMatchObject({ status: 'offboarded', offboardedAt: T0 + 5 });
      expect(await repo.upsertFromFiles(alice, T0 + 7)).toMatchObject({ status: 'active', offboardedAt: null, createdAt: T0 });
    });

    it('adds from an invite, leaves an active contractor alone, re-onboards an offboarded one', async () => {
      const invited = { email: 'Dave@Vendor.Example', roles: ['readonly'], untilAt: T0 + DAY, sponsor: 'bob@corp.example' };
      expect(await repo.addFromInvite(invited, T0)).toMatchObject({ email: 'dave@vendor.example', name: '', company: '', source: 'api', status: 'active' });
      expect(await repo.addFromInvite({ ...invited, roles: ['readwrite'] }, T0 + 1)).toBeNull();
      expect(await repo.get('dave@vendor.example')).toMatchObject({ roles: ['readonly'], updatedAt: T0 });

      await repo.upsertFromFiles(alice, T0);
      await repo.remove(alice.email, T0 + 2);
      const back = await repo.addFromInvite({ email: alice.email, roles: ['readwrite'], untilAt: T0 + 3 * DAY, sponsor: 'carol@corp.example' }, T0 + 3);
      expect(back).toMatchObject({ name: 'Alice', roles: ['readwrite'], untilAt: T0 + 3 * DAY, source: 'api', status: 'active', sponsor: 'carol@corp.example', offboardedAt: null });
      expect((await repo.list()).map((c) => c.email)).toEqual(['alice@vendor.example', 'dave@vendor.example']);
    });

    it('restores the previous record, or removes a new one', async () => {
      await repo.upsertFromFiles(alice, T0);
      await repo.remove(alice.email, T0 + 1);
      const before = await repo.get(alice.email);
      await repo.addFromInvite({ email: alice.email, roles: ['readonly'], untilAt: T0 + DAY, sponsor: 'x@corp.example' }, T0 + 2);
      await repo.restore(alice.email, before, T0 + 2);
      expect(await repo.get(alice.email)).toEqual(before);

      await repo.addFromInvite({ email: 'new@vendor.example', roles: ['readonly'], untilAt: T0 + DAY, sponsor: 'x@corp.example' }, T0 + 3);
      await repo.restore('new@vendor.example', null, T0 + 3);
      expect(await repo.get('new@vendor.example')).toBeNull();
    });

    it('works inside a caller transaction and rolls back with it', async () => {
      await expect(
        store.db.transaction().execute(async (trx) => {
          await repo.upsertFromFiles(alice, T0, trx);
          expect(await repo.list(trx)).toHaveLength(1);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await repo.list()).toEqual([]);
    });

    it('fails closed on unreadable stored roles', async () => {
      await repo.upsertFromFiles(alice, T0);
      await store.db.updateTable('contractors').set({ roles: '{"not":"a list"}' }).execute();
      await expect(repo.get(alice.email)).rejects.toMatchObject({ code: 'STINT_ERR_INTERNAL' });
    });
  });
}
