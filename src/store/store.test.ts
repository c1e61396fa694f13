import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
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
      const { n } = await store.db.selectFrom('meta').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(n).toBe(1);
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
