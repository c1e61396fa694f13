import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { openStore } from '../store/open-store.ts';
import { GENESIS_HASH, type Store } from '../store/store.ts';
import { ManualClock } from '../time/clock.ts';
import { computeEventHash } from './audit-chain.ts';
import type { AuditEventInput } from './audit-event.ts';
import { AuditLog } from './audit-log.ts';

const login = (n: number): AuditEventInput => ({
  code: 'AUTH_SUCCEEDED',
  actor: `user${n}@vendor.example`,
  resource: 'demo',
  summary: `Token accepted for user${n}.`,
  data: { n, tags: ['a', 'b'] },
});

async function countEvents(store: Store): Promise<number> {
  const { n } = await store.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(n);
}

for (const engine of STORE_ENGINES) {
  describe(`AuditLog (${engine})`, () => {
    let store: TestStore;
    const extra: Store[] = [];
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.destroy();
    });

    it('chains events from the genesis hash and stores what it returns', async () => {
      store = await openTestStore(engine);
      const clock = new ManualClock('2026-12-01T10:00:00Z');
      const log = new AuditLog({ store, clock });
      const first = await log.append(login(1));
      clock.advance(1000);
      const second = await log.append({ code: 'ACCESS_DENIED', actor: 'user2@vendor.example', summary: 'Denied.', data: { reason: 'DENY_NO_GRANT' } });

      expect(first).toMatchObject({ seq: 1, ts: clock.now() - 1000, outcome: 'success', prevHash: GENESIS_HASH, resource: 'demo', subject: null });
      expect(second).toMatchObject({ seq: 2, outcome: 'failure', prevHash: first.hash, resource: null });
      const { hash: _h, prevHash: _p, ...fields } = second;
      expect(second.hash).toBe(computeEventHash(first.hash, fields));

      const rows = await store.db.selectFrom('audit_events').select(['seq', 'prev_hash', 'hash', 'data', 'outcome']).orderBy('seq').execute();
      expect(rows).toEqual([
        { seq: 1, prev_hash: GENESIS_HASH, hash: first.hash, data: '{"n":1,"tags":["a","b"]}', outcome: 'success' },
        { seq: 2, prev_hash: first.hash, hash: second.hash, data: '{"reason":"DENY_NO_GRANT"}', outcome: 'failure' },
      ]);
      const head = await store.db.selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
      expect(head).toEqual({ seq: 2, hash: second.hash });
      expect(log.head()).toEqual(head);
    });

    it('writes 500 concurrent appends as consecutive seqs in one or a few transactions', async () => {
      store = await openTestStore(engine);
      const commits: number[] = [];
      const log = new AuditLog({ store, clock: new ManualClock(), onCommit: ({ count }) => commits.push(count) });
      const events = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(login(i))));

      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      expect(events.map((e) => e.data.n)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(commits.length).toBeLessThanOrEqual(3);
      expect(commits.reduce((a, b) => a + b, 0)).toBe(500);
      expect(await countEvents(store)).toBe(500);
      const rows = await store.db.selectFrom('audit_events').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
      rows.forEach((row, i) => expect(row.prev_hash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash));
    });

    it('batches appends that arrive while a commit is in flight into the next transaction', async () => {
      store = await openTestStore(engine);
      const commits: number[] = [];
      const log = new AuditLog({ store, clock: new ManualClock(), onCommit: ({ count }) => commits.push(count) });
      const first = log.append(login(0));
      await new Promise((resolve) => setImmediate(resolve)); // the first commit is now under way
      const rest = Array.from({ length: 20 }, (_, i) => log.append(login(i + 1)));
      await Promise.all([first, ...rest]);
      expect(commits).toEqual([1, 20]);
    });

    it('lets a deferCommit record ride with the next commit, and writes it on its own shortly when none comes', async () => {
      store = await openTestStore(engine);
      const commits: number[] = [];
      const log = new AuditLog({ store, clock: new ManualClock(), onCommit: ({ count }) => commits.push(count) });
      const outcome = log.append(login(0), { deferCommit: true });
      await new Promise((resolve) => setImmediate(resolve));
      expect(commits).toEqual([]);
      const next = log.append(login(1));
      const [a, b] = await Promise.all([outcome, next]);
      expect([a.seq, b.seq]).toEqual([1, 2]);
      expect(commits).toEqual([2]);

      const alone = await log.append(login(2), { deferCommit: true });
      expect(alone.seq).toBe(3);
      expect(commits).toEqual([2, 1]);
      expect(await countEvents(store)).toBe(3);
    });

    it('flush() and close() do not wait out the deferral', async () => {
      store = await openTestStore(engine);
      const log = new AuditLog({ store, clock: new ManualClock() });
      const outcome = log.append(login(0), { deferCommit: true });
      await log.close();
      expect(await countEvents(store)).toBe(1);
      await expect(outcome).resolves.toMatchObject({ seq: 1 });
    });

    it('honours maxBatch', async () => {
      store = await openTestStore(engine);
      const commits: number[] = [];
      const log = new AuditLog({ store, clock: new ManualClock(), maxBatch: 7, onCommit: ({ count }) => commits.push(count) });
      await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(login(i))));
      expect(commits).toEqual([7, 7, 6]);
    });

    it('rejects every event of a failed transaction, writes none of them, and recovers', async () => {
      store = await openTestStore(engine);
      const log = new AuditLog({ store, clock: new ManualClock() });
      await log.append(login(0));
      // A stray row at seq 3 makes the next batch (seqs 2..4) collide half way through.
      await store.db
        .insertInto('audit_events')
        .values({ seq: 3, ts: 0, code: 'X', outcome: 'success', actor: 'x', resource: null, subject: null, summary: 'stray', data: '{}', prev_hash: 'x', hash: 'x' })
        .execute();
      const results = await Promise.allSettled([log.append(login(1)), log.append(login(2)), log.append(login(3))]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
        expect(((result as PromiseRejectedResult).reason as Error).cause).toBeDefined();
      }
      const seqs = await store.db.selectFrom('audit_events').select('seq').orderBy('seq').execute();
      expect(seqs.map((r) => r.seq)).toEqual([1, 3]);
      const head = await store.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
      expect(head.seq).toBe(1);

      await store.db.deleteFrom('audit_events').where('seq', '=', 3).execute();
      const retried = await log.append(login(4));
      expect(retried.seq).toBe(2);
    });

    it('rejects with STINT_ERR_AUDIT_UNAVAILABLE once the store is closed, writing nothing', async () => {
      store = await openTestStore(engine);
      const log = new AuditLog({ store, clock: new ManualClock() });
      await log.append(login(0));
      await store.close();
      const failed = await Promise.allSettled([log.append(login(1)), log.append(login(2))]);
      expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });

      const reopened = await openStore({ url: store.url, dataDir: store.dataDir });
      extra.push(reopened);
      expect(await countEvents(reopened)).toBe(1);
      const head = await reopened.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
      expect(head.seq).toBe(1);
    });

    it('rejects bad input before queueing, so the rest of the batch is written', async () => {
      store = await openTestStore(engine);
      const log = new AuditLog({ store, clock: new ManualClock() });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const results = await Promise.allSettled([
        log.append(login(1)),
        log.append({ ...login(2), data: { n: 10n } }),
        log.append({ ...login(3), data: { f: () => 1 } }),
        log.append({ ...login(4), data: cyclic }),
        log.append({ ...login(5), code: 'NOT_A_CODE' as 'AUTH_SUCCEEDED' }),
        log.append(login(6)),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected', 'fulfilled']);
      for (const r of results.slice(1, 5)) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'STINT_ERR_INTERNAL' });
      expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ seq: number }>).value.seq)).toEqual([1, 2]);
    });

    it('close() waits for queued events and refuses later ones', async () => {
      store = await openTestStore(engine);
      const log = new AuditLog({ store, clock: new ManualClock() });
      const pending = Array.from({ length: 5 }, (_, i) => log.append(login(i)));
      await log.close();
      expect(await countEvents(store)).toBe(5);
      await expect(Promise.all(pending)).resolves.toHaveLength(5);
      await expect(log.append(login(9))).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
    });

    it('appendWithin commits with the caller\'s transaction and vanishes with its rollback', async () => {
      store = await openTestStore(engine);
      const log = new AuditLog({ store, clock: new ManualClock() });
      const first = await log.append(login(0));

      await expect(
        store.db.transaction().execute(async (trx) => {
          const written = await log.appendWithin(trx, login(1));
          expect(written).toMatchObject({ seq: 2, prevHash: first.hash });
          await trx.insertInto('meta').values({ key: 'k', value: 'v' }).execute();
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await countEvents(store)).toBe(1);
      expect((await store.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq).toBe(1);

      let concurrent: Promise<{ seq: number; prevHash: string }> | undefined;
      const within = await store.db.transaction().execute(async (trx) => {
        const written = await log.appendWithin(trx, login(2));
        // An append from elsewhere waits for this transaction and chains after it.
        concurrent = log.append(login(3));
        await new Promise((resolve) => setTimeout(resolve, 20));
        return written;
      });
      expect(within).toMatchObject({ seq: 2, prevHash: first.hash });
      expect(await concurrent).toMatchObject({ seq: 3, prevHash: within.hash });
      expect(await countEvents(store)).toBe(3);
    });

    it('appendWithin refuses bad input and a closed log', async () => {
      store = await openTestStore(engine);
      const log = new AuditLog({ store, clock: new ManualClock() });
      await expect(store.db.transaction().execute((trx) => log.appendWithin(trx, { ...login(1), data: { n: 1n } }))).rejects.toMatchObject({
        code: 'STINT_ERR_INTERNAL',
      });
      await log.close();
      await expect(store.db.transaction().execute((trx) => log.appendWithin(trx, login(1)))).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
      expect(await countEvents(store)).toBe(0);
    });

    it('interleaves appends from two nodes sharing the store into one chain', async () => {
      store = await openTestStore(engine);
      const other = await openStore({ url: store.url, dataDir: store.dataDir });
      extra.push(other);
      const a = new AuditLog({ store, clock: new ManualClock(), maxBatch: 5 });
      const b = new AuditLog({ store: other, clock: new ManualClock(), maxBatch: 5 });
      const appended = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).append(login(i))));
      expect(appended.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      const rows = await store.db.selectFrom('audit_events').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
      rows.forEach((row, i) => expect(row.prev_hash).toBe(i === 0 ? GENESIS_HASH : rows[i - 1]!.hash));
    });
  });
}
