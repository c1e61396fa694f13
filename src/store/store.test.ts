import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { readAccessChanges } from './access-changes.ts';
import { openStore } from './open-store.ts';

for (const engine of STORE_ENGINES) {
  describe(`store (${engine})`, () => {
    let store: TestStore | undefined;
    afterEach(async () => {
      await store?.destroy();
      store = undefined;
    });

    it('migrates and reads bigints back as numbers', async () => {
      store = await openTestStore(engine);
      const head = await store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
      expect(head).toEqual({ id: 1, seq: 0, hash: '0'.repeat(64) });
      await store.db
        .insertInto('meta')
        .values({ key: 'k', value: 'v' })
        .execute();
      const { n } = await store.db.selectFrom('meta').select((eb) => eb.fn.countAll<number>().as('n')).where('key', '=', 'k').executeTakeFirstOrThrow();
      expect(n).toBe(1);
    });

    it('counts every committed write to contractors, grants and policy versions, and nothing else', async () => {
      store = await openTestStore(engine);
      const before = await readAccessChanges(store);
      const at = 1_800_000_000_000;
      await store.db
        .insertInto('contractors')
        .values({ email: 'a@vendor.example', name: 'A', company: 'V', sponsor: 's@corp.example', roles: '[]', until_at: at, source: 'api', status: 'active', created_at: at, updated_at: at, offboarded_at: null })
        .execute();
      const afterInsert = await readAccessChanges(store);
      expect(afterInsert).toBeGreaterThan(before);
      await store.db.updateTable('contractors').set({ roles: '["reader"]' }).where('email', '=', 'a@vendor.example').execute();
      const afterUpdate = await readAccessChanges(store);
      expect(afterUpdate).toBeGreaterThan(afterInsert);
      await store.db.insertInto('meta').values({ key: 'unrelated', value: 'x' }).execute();
      expect(await readAccessChanges(store)).toBe(afterUpdate);
      // A rolled-back change leaves the count alone; a committed grant moves it.
      await expect(
        store.db.transaction().execute(async (trx) => {
          await trx.deleteFrom('contractors').execute();
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await readAccessChanges(store)).toBe(afterUpdate);
      await store.db
        .insertInto('grants')
        .values({ id: 'grt_1', email: 'a@vendor.example', resource: 'db', actions: '["read"]', tables: '[]', request_id: null, starts_at: at, expires_at: at + 1, revoked_at: null, revoked_by: null, revoked_reason: null, expiry_recorded_at: null })
        .execute();
      expect(await readAccessChanges(store)).toBeGreaterThan(afterUpdate);
    });

    it('migrating twice is a no-op', async () => {
      store = await openTestStore(engine);
      const again = await openStore({ url: store.url, dataDir: store.dataDir });
      await again.close();
    });
  });
}

describe('openStore errors', () => {
  it('names an unsupported URL scheme', async () => {
    await expect(openStore({ url: 'mysql://x', dataDir: '/tmp/x' })).rejects.toMatchObject({ code: 'STINT_ERR_CONFIG' });
  });

  it('reports an unreachable PostgreSQL without leaking the password', async () => {
    const error: unknown = await openStore({ url: 'postgres://u:secretpw@127.0.0.1:1/db', dataDir: '/tmp/x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STINT_ERR_STORE_UNAVAILABLE' });
    expect(String((error as Error).message)).not.toContain('secretpw');
  });
});
