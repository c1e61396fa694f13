import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { ManualClock } from '../time/clock.ts';
import { GatedRefresh } from './access-changes.ts';

for (const engine of STORE_ENGINES) {
  describe(`GatedRefresh (${engine})`, () => {
    let store: TestStore | undefined;
    afterEach(async () => {
      await store?.destroy();
      store = undefined;
    });

    it('rebuilds only when a contractor, grant or policy version changed, or the full interval passed', async () => {
      store = await openTestStore(engine);
      const clock = new ManualClock('2026-12-01T10:00:00Z');
      let rebuilds = 0;
      const refresh = (): Promise<void> => {
        rebuilds += 1;
        return Promise.resolve();
      };
      const gated = new GatedRefresh({ store, clock, fullEveryMs: 60_000, refresh });
      await gated.rebuild();
      expect(rebuilds).toBe(1);

      clock.advance(2_000);
      expect(await gated.tick()).toBe(false);
      await store.db.insertInto('meta').values({ key: 'unrelated', value: 'x' }).execute();
      expect(await gated.tick()).toBe(false);

      const at = clock.now();
      await store.db
        .insertInto('policy_versions')
        .values({ digest: 'd1', applied_at: at, applied_by: 'admin@corp.example', document: '{}', files: '[]' })
        .execute();
      expect(await gated.tick()).toBe(true);
      expect(await gated.tick()).toBe(false);

      await store.db
        .insertInto('contractors')
        .values({ email: 'a@vendor.example', name: 'A', company: 'V', sponsor: 's@corp.example', roles: '[]', until_at: at + 1, source: 'api', status: 'active', created_at: at, updated_at: at, offboarded_at: null })
        .execute();
      await store.db.updateTable('contractors').set({ status: 'offboarded', offboarded_at: at }).execute();
      expect(await gated.tick()).toBe(true);
      expect(rebuilds).toBe(3);

      clock.advance(60_000);
      expect(await gated.tick()).toBe(true);
      expect(rebuilds).toBe(4);
    });

    it('leaves the last count in place when a rebuild fails, so the next tick tries again', async () => {
      store = await openTestStore(engine);
      const clock = new ManualClock('2026-12-01T10:00:00Z');
      let fail = false;
      const gated = new GatedRefresh({ store, clock, fullEveryMs: 60_000, refresh: () => (fail ? Promise.reject(new Error('store hiccup')) : Promise.resolve()) });
      await gated.rebuild();
      await store.db.insertInto('grants').values({ id: 'grt_1', email: 'a@vendor.example', resource: 'db', actions: '["read"]', tables: '[]', request_id: null, starts_at: 0, expires_at: clock.now() + 1, revoked_at: null, revoked_by: null, revoked_reason: null, expiry_recorded_at: null }).execute();
      fail = true;
      await expect(gated.tick()).rejects.toThrow('store hiccup');
      fail = false;
      expect(await gated.tick()).toBe(true);
      expect(await gated.tick()).toBe(false);
    });
  });
}
