import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { openStore } from '../store/open-store.ts';
import { ManualClock } from '../time/clock.ts';
import { computeEventHash } from './audit-chain.ts';
import { AuditCheckpointer } from './audit-checkpoint.ts';
import { AuditLog } from './audit-log.ts';
import { parseData } from './audit-row.ts';
import { loadOrCreateSigningKey, signCheckpoint, type SigningKey } from './audit-signing-key.ts';
import { formatVerifyReport, verifyAuditLog, type VerifyProblemKind, type VerifyReport } from './audit-verify.ts';

const keyDir = mkdtempSync(join(tmpdir(), 'stint-verify-keys-'));
const key = loadOrCreateSigningKey(join(keyDir, 'ours'));
const foreignKey = loadOrCreateSigningKey(join(keyDir, 'theirs'));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

const kinds = (report: VerifyReport): [number, VerifyProblemKind][] => report.problems.map((p) => [p.seq, p.kind]);

for (const engine of STORE_ENGINES) {
  describe(`verifyAuditLog (${engine})`, () => {
    let store: TestStore;
    afterEach(async () => {
      await store.destroy();
    });

    /** A log of `count` events, with a checkpoint signed right after each seq in `checkpointAt`. */
    async function build(count: number, checkpointAt: readonly number[] = [], signer: SigningKey = key): Promise<{ log: AuditLog; checkpointer: AuditCheckpointer }> {
      store = await openTestStore(engine);
      const clock = new ManualClock('2026-12-01T00:00:00Z');
      const log = new AuditLog({ store, clock });
      const checkpointer = new AuditCheckpointer({ store, log, key: signer, clock });
      let seq = 0;
      for (const stop of [...checkpointAt, count]) {
        const batch: Promise<unknown>[] = [];
        for (; seq < stop; seq += 1) {
          batch.push(log.append({ code: 'ACCESS_ALLOWED', actor: `user${seq % 3}@vendor.example`, resource: 'demo', summary: `SELECT ${seq + 1}`, data: { n: seq + 1 } }));
        }
        await Promise.all(batch);
        clock.advance(1000);
        if (stop !== count || checkpointAt.includes(count)) await checkpointer.checkpointNow();
      }
      return { log, checkpointer };
    }

    const row = (seq: number) => store.db.selectFrom('audit_events').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();

    /** What someone with write access would do: rewrite an event and recompute every hash after it (and the head). */
    async function rewriteAndRechain(seq: number, summary: string): Promise<void> {
      await store.db.updateTable('audit_events').set({ summary }).where('seq', '=', seq).execute();
      const rows = await store.db.selectFrom('audit_events').selectAll().where('seq', '>=', seq).orderBy('seq').execute();
      let prev = rows[0]!.prev_hash;
      for (const r of rows) {
        const hash = computeEventHash(prev, { ...r, data: parseData(r.data) });
        await store.db.updateTable('audit_events').set({ prev_hash: prev, hash }).where('seq', '=', r.seq).execute();
        prev = hash;
      }
      await store.db.updateTable('audit_head').set({ hash: prev }).execute();
    }

    it('passes an intact log, reading in small pages across checkpoints', async () => {
      await build(25, [5, 10, 20]);
      for (const pageSize of [1, 3, 2000]) {
        const report = await verifyAuditLog(store, { pageSize });
        expect(report).toEqual({
          ok: true,
          events: 25,
          lastSeq: 25,
          checkpoints: 3,
          lastCheckpointSeq: 20,
          firstBadSeq: null,
          problems: [],
          omittedProblems: 0,
          keys: 'stored',
        });
      }
      expect((await verifyAuditLog(store, { trustedKeys: [key.publicKeyPem] })).keys).toBe('trusted');
      expect((await verifyAuditLog(store, { trustedKeys: [key.publicKeyPem] })).ok).toBe(true);
    });

    it('ignores events and checkpoints that arrive while it runs', async () => {
      const { log, checkpointer } = await build(10, [10]);
      const verifying = verifyAuditLog(store, { pageSize: 2 });
      await Promise.all(Array.from({ length: 30 }, (_, i) => log.append({ code: 'ACCESS_ALLOWED', actor: 'late@vendor.example', summary: `late ${i}` })));
      await checkpointer.checkpointNow();
      const report = await verifying;
      expect(report.problems).toEqual([]);
      expect(report.lastSeq).toBeGreaterThanOrEqual(10);
      expect(await verifyAuditLog(store)).toMatchObject({ ok: true, lastSeq: 40, lastCheckpointSeq: 40 });
    });

    it('passes an empty log', async () => {
      await build(0);
      expect(await verifyAuditLog(store)).toMatchObject({ ok: true, events: 0, lastSeq: 0, checkpoints: 0, lastCheckpointSeq: null });
    });

    it('catches an edited summary and edited data as altered', async () => {
      await build(10, [10]);
      await store.db.updateTable('audit_events').set({ summary: 'nothing to see' }).where('seq', '=', 4).execute();
      await store.db.updateTable('audit_events').set({ data: '{"n":999}' }).where('seq', '=', 7).execute();
      const report = await verifyAuditLog(store);
      expect(report.ok).toBe(false);
      expect(kinds(report)).toEqual([
        [4, 'altered'],
        [7, 'altered'],
      ]);
      expect(report.firstBadSeq).toBe(4);
    });

    it('catches a deleted middle event as missing', async () => {
      await build(10);
      await store.db.deleteFrom('audit_events').where('seq', 'in', [5, 6]).execute();
      const report = await verifyAuditLog(store, { pageSize: 4 });
      expect(kinds(report)).toEqual([[5, 'missing']]);
      expect(report.problems[0]!.message).toContain('5–6');
      expect(report.firstBadSeq).toBe(5);
      expect(report.events).toBe(8);
    });

    it('catches two rows with swapped contents', async () => {
      await build(8, [8]);
      const [three, four] = [await row(3), await row(4)];
      const { seq: _s3, ...content3 } = three;
      const { seq: _s4, ...content4 } = four;
      await store.db.updateTable('audit_events').set(content4).where('seq', '=', 3).execute();
      await store.db.updateTable('audit_events').set(content3).where('seq', '=', 4).execute();
      const report = await verifyAuditLog(store);
      expect(report.firstBadSeq).toBe(3);
      expect(kinds(report).slice(0, 2)).toEqual([
        [3, 'reordered'],
        [4, 'reordered'],
      ]);
    });

    it('catches reordered rows whose own hashes were recomputed', async () => {
      await build(8, [8]);
      const [three, four] = [await row(3), await row(4)];
      // Event 4 moved to seq 3 and event 3 to seq 4, each made self-consistent at its new seq.
      const moved = (from: typeof three, to: number) => {
        const data = parseData(from.data);
        return { ...from, seq: to, hash: computeEventHash(from.prev_hash, { ...from, seq: to, data }) };
      };
      await store.db.deleteFrom('audit_events').where('seq', 'in', [3, 4]).execute();
      await store.db.insertInto('audit_events').values([moved(four, 3), moved(three, 4)]).execute();
      const report = await verifyAuditLog(store);
      expect(report.firstBadSeq).toBe(3);
      expect(kinds(report)[0]).toEqual([3, 'reordered']);
      expect(report.problems.every((p) => p.kind === 'reordered')).toBe(true);
    });

    it('catches the tail truncated below the last checkpoint, with or without the head rolled back', async () => {
      await build(20, [10, 15]);
      await store.db.deleteFrom('audit_events').where('seq', '>', 12).execute();
      let report = await verifyAuditLog(store);
      expect(kinds(report)).toEqual([[13, 'truncated']]);
      expect(report.lastSeq).toBe(12);

      const last = await row(12);
      await store.db.updateTable('audit_head').set({ seq: 12, hash: last.hash }).execute();
      report = await verifyAuditLog(store);
      expect(kinds(report)).toEqual([[13, 'truncated']]);
      expect(report.problems[0]!.message).toContain('checkpoint was signed at seq 15');
    });

    it('catches a head row rolled back behind the events', async () => {
      await build(10, [5]);
      const seven = await row(7);
      await store.db.updateTable('audit_head').set({ seq: 7, hash: seven.hash }).execute();
      const report = await verifyAuditLog(store);
      expect(kinds(report)).toEqual([[8, 'truncated']]);
      expect(report.lastSeq).toBe(7);
    });

    it('cannot see a truncation after the last checkpoint when the head is rolled back too', async () => {
      await build(10, [6]);
      await store.db.deleteFrom('audit_events').where('seq', '>', 8).execute();
      await store.db.updateTable('audit_head').set({ seq: 8, hash: (await row(8)).hash }).execute();
      // The documented limit: checkpoints narrow it, a SIEM export closes it.
      expect((await verifyAuditLog(store)).ok).toBe(true);
    });

    it('catches a forged or edited checkpoint as a bad signature', async () => {
      await build(12, [4, 8, 12]);
      // A signature over another message, and a hash edited to match a rewritten chain.
      const forged = signCheckpoint(key, { seq: 8, hash: '0'.repeat(64), ts: 0 });
      await store.db.updateTable('audit_checkpoints').set({ signature: forged }).where('seq', '=', 8).execute();
      await store.db.updateTable('audit_checkpoints').set({ hash: 'f'.repeat(64) }).where('seq', '=', 12).execute();
      const report = await verifyAuditLog(store);
      expect(kinds(report)).toEqual([
        [8, 'bad-signature'],
        [12, 'bad-signature'],
      ]);
      expect(report.lastCheckpointSeq).toBe(4);
    });

    it('catches a key id that does not match the stored key', async () => {
      await build(4, [4]);
      await store.db.updateTable('audit_checkpoints').set({ key_id: foreignKey.keyId }).execute();
      expect(kinds(await verifyAuditLog(store))).toEqual([[4, 'bad-signature']]);
    });

    it('catches an event rewritten with every later hash recomputed, from the last matching checkpoint on', async () => {
      await build(12, [6, 12]);
      await rewriteAndRechain(7, 'an innocent query');
      const report = await verifyAuditLog(store);
      expect(kinds(report)).toEqual([[7, 'checkpoint-mismatch']]);
      expect(report.firstBadSeq).toBe(7);
      expect(report.problems[0]!.message).toContain('seq 12');
    });

    it('narrows a rewrite to the range after the last matching checkpoint', async () => {
      await build(20, [5, 10, 20]);
      await rewriteAndRechain(13, 'rewritten');
      const report = await verifyAuditLog(store);
      expect(kinds(report)).toEqual([[11, 'checkpoint-mismatch']]);
    });

    it('reports checkpoints from a key outside trustedKeys, and a re-signed rewrite only with trustedKeys', async () => {
      await build(10, [5, 10]);
      const foreign = await verifyAuditLog(store, { trustedKeys: [foreignKey.publicKeyPem] });
      expect(kinds(foreign)).toEqual([
        [5, 'untrusted-key'],
        [10, 'untrusted-key'],
      ]);
      expect(foreign.keys).toBe('trusted');
      expect(foreign.lastCheckpointSeq).toBeNull();

      // The attacker rewrites seq 2, recomputes the chain and re-signs every checkpoint with their own key.
      await rewriteAndRechain(2, 'rewritten');
      for (const cp of await store.db.selectFrom('audit_checkpoints').selectAll().execute()) {
        const hash = (await row(cp.seq)).hash;
        await store.db
          .updateTable('audit_checkpoints')
          .set({ hash, key_id: foreignKey.keyId, public_key: foreignKey.publicKeyPem, signature: signCheckpoint(foreignKey, { seq: cp.seq, hash, ts: cp.ts }) })
          .where('seq', '=', cp.seq)
          .execute();
      }
      expect((await verifyAuditLog(store)).ok).toBe(true);
      const trusted = await verifyAuditLog(store, { trustedKeys: [key.publicKeyPem] });
      expect(trusted.ok).toBe(false);
      expect(trusted.firstBadSeq).toBe(5);
      expect(trusted.problems.map((p) => p.kind)).toEqual(['untrusted-key', 'untrusted-key']);
    });

    it('accepts checkpoints from any of several trusted keys and rejects a malformed trusted key', async () => {
      await build(6, [6]);
      expect((await verifyAuditLog(store, { trustedKeys: [foreignKey.publicKeyPem, key.publicKeyPem] })).ok).toBe(true);
      await expect(verifyAuditLog(store, { trustedKeys: ['not a key'] })).rejects.toMatchObject({ code: 'STINT_ERR_BAD_REQUEST' });
    });

    it('caps the listed problems but keeps counting', async () => {
      await build(30);
      await store.db.updateTable('audit_events').set({ summary: 'x' }).execute();
      const report = await verifyAuditLog(store, { maxProblems: 10 });
      expect(report.problems).toHaveLength(10);
      expect(report.omittedProblems).toBe(20);
      expect(report.firstBadSeq).toBe(1);
    });

    it.skipIf(engine !== 'sqlite')('verifies an offline copy of the embedded store opened read-only', async () => {
      await build(5, [5]);
      await store.close();
      const copy = await openStore({ dataDir: store.dataDir }, { readonly: true });
      try {
        expect((await verifyAuditLog(copy, { trustedKeys: [key.publicKeyPem] })).ok).toBe(true);
      } finally {
        await copy.close();
      }
    });
  });
}

describe('formatVerifyReport', () => {
  const base: VerifyReport = {
    ok: true,
    events: 25,
    lastSeq: 25,
    checkpoints: 3,
    lastCheckpointSeq: 20,
    firstBadSeq: null,
    problems: [],
    omittedProblems: 0,
    keys: 'trusted',
  };

  it('states the verdict and what was checked', () => {
    const text = formatVerifyReport(base);
    expect(text).toContain('Audit log OK: 25 events (last seq 25), 3 checkpoints (last valid at seq 20).');
    expect(text).toContain('after seq 20');
    expect(formatVerifyReport({ ...base, keys: 'stored' })).toContain('audit-signing.pub');
  });

  it('lists each problem with its seq and kind', () => {
    const text = formatVerifyReport({
      ...base,
      ok: false,
      firstBadSeq: 7,
      problems: [
        { seq: 7, kind: 'altered', message: 'Event 7 was edited.' },
        { seq: 13, kind: 'truncated', message: 'Tail gone.' },
      ],
      omittedProblems: 4,
    });
    expect(text.split('\n')[0]).toBe('Audit log FAILED verification: 6 problems, first bad seq 7.');
    expect(text).toMatch(/seq {2}7 {2}altered +Event 7 was edited\./);
    expect(text).toMatch(/seq 13 {2}truncated +Tail gone\./);
    expect(text).toContain('and 4 more');
  });
});
