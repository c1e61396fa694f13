import { createPublicKey } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { ManualClock } from '../time/clock.ts';
import { AuditCheckpointer, loadOrCreateSigningKey } from './audit-checkpoint.ts';
import { AuditLog } from './audit-log.ts';
import { verifyCheckpointSignature } from './audit-signing-key.ts';

for (const engine of STORE_ENGINES) {
  describe(`AuditCheckpointer (${engine})`, () => {
    let store: TestStore;
    let checkpointer: AuditCheckpointer | undefined;
    afterEach(async () => {
      await checkpointer?.stop();
      checkpointer = undefined;
      await store.destroy();
    });

    const setup = async (options: { everyEvents?: number; everyMs?: number } = {}) => {
      store = await openTestStore(engine);
      const clock = new ManualClock('2026-12-01T00:00:00Z');
      const log = new AuditLog({ store, clock });
      const key = loadOrCreateSigningKey(store.dataDir);
      checkpointer = new AuditCheckpointer({ store, log, key, clock, ...options });
      const append = (n: number) =>
        Promise.all(Array.from({ length: n }, (_, i) => log.append({ code: 'ACCESS_ALLOWED', actor: 'alice@vendor.example', summary: `query ${i}` })));
      const checkpointSeqs = async () => (await store.db.selectFrom('audit_checkpoints').select('seq').orderBy('seq').execute()).map((r) => r.seq);
      return { clock, log, key, checkpointer, append, checkpointSeqs };
    };

    it('signs the current head, and only when it advanced', async () => {
      const { clock, key, checkpointer, append } = await setup();
      expect(await checkpointer.checkpointNow()).toBeNull();
      const events = await append(3);
      clock.advance(5000);
      const cp = await checkpointer.checkpointNow();
      expect(cp).toMatchObject({ seq: 3, hash: events[2]!.hash, ts: clock.now(), keyId: key.keyId, publicKey: key.publicKeyPem });
      expect(verifyCheckpointSignature(createPublicKey(key.publicKeyPem), cp!, cp!.signature)).toBe(true);
      const row = await store.db.selectFrom('audit_checkpoints').selectAll().executeTakeFirstOrThrow();
      expect(row).toEqual({ seq: 3, hash: cp!.hash, ts: cp!.ts, key_id: key.keyId, public_key: key.publicKeyPem, signature: cp!.signature });
      expect(await checkpointer.checkpointNow()).toBeNull();
    });

    it('checkpoints after every N appended events, and once more on stop', async () => {
      const { append, checkpointer, checkpointSeqs } = await setup({ everyEvents: 10, everyMs: 3_600_000 });
      checkpointer.start();
      await append(4);
      await append(4);
      expect(await checkpointSeqs()).toEqual([]);
      await append(4); // 12 events: past the threshold
      await vi.waitFor(async () => expect(await checkpointSeqs()).toEqual([12]));
      await append(10);
      await vi.waitFor(async () => expect(await checkpointSeqs()).toEqual([12, 22]));
      await append(3);
      await checkpointer.stop();
      expect(await checkpointSeqs()).toEqual([12, 22, 25]);
    });

    it('checkpoints on its timer when the head moved', async () => {
      const { append, checkpointer, checkpointSeqs } = await setup({ everyEvents: 1_000_000, everyMs: 20 });
      checkpointer.start();
      await append(2);
      await vi.waitFor(async () => expect(await checkpointSeqs()).toEqual([2]));
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await checkpointSeqs()).toEqual([2]);
    });

    it('serialises concurrent checkpoint requests and reports a broken store', async () => {
      const { append, checkpointer: cpr } = await setup();
      await append(1);
      const results = await Promise.all([cpr.checkpointNow(), cpr.checkpointNow()]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      await store.close();
      checkpointer = undefined; // stopped below, on a closed store
      await expect(cpr.checkpointNow()).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
      await expect(cpr.stop()).rejects.toMatchObject({ code: 'STINT_ERR_AUDIT_UNAVAILABLE' });
    });
  });
}
