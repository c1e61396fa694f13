import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { ManualClock } from '../time/clock.ts';
import type { AuditEvent } from './audit-event.ts';
import { exportAuditEvents, toJsonLine, type AuditExportRange } from './audit-export.ts';
import { AuditLog } from './audit-log.ts';

/** The error a call throws (undefined if it returns), to match its fields. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const START = Date.parse('2026-12-01T00:00:00Z');
const SECOND = 1000;

for (const engine of STORE_ENGINES) {
  describe(`exportAuditEvents (${engine})`, () => {
    let store: TestStore;
    afterEach(async () => {
      await store.destroy();
    });

    async function setup(count: number): Promise<AuditEvent[]> {
      store = await openTestStore(engine);
      const clock = new ManualClock(START);
      const log = new AuditLog({ store, clock });
      const events: AuditEvent[] = [];
      for (let i = 1; i <= count; i += 1) {
        events.push(await log.append({ code: 'ACCESS_ALLOWED', actor: 'alice@vendor.example', resource: 'demo', summary: `query ${i}`, data: { i } }));
        clock.advance(SECOND);
      }
      return events;
    }

    async function collect(range: AuditExportRange): Promise<number[]> {
      const seqs: number[] = [];
      for await (const event of exportAuditEvents(store, range)) seqs.push(event.seq);
      return seqs;
    }

    it('yields every event oldest first, across pages, exactly as appended', async () => {
      const appended = await setup(23);
      const exported: AuditEvent[] = [];
      for await (const event of exportAuditEvents(store, { pageSize: 5 })) exported.push(event);
      expect(exported).toEqual(appended);
    });

    it('limits by time range and resumes after a seq', async () => {
      await setup(10);
      expect(await collect({ since: START + 7 * SECOND })).toEqual([8, 9, 10]);
      expect(await collect({ until: START + 2 * SECOND })).toEqual([1, 2]);
      expect(await collect({ since: START + 3 * SECOND, until: START + 6 * SECOND, pageSize: 2 })).toEqual([4, 5, 6]);
      expect(await collect({ afterSeq: 8 })).toEqual([9, 10]);
      expect(await collect({ afterSeq: 2, until: START + 4 * SECOND })).toEqual([3, 4]);
      expect(await collect({ afterSeq: 10 })).toEqual([]);
    });

    it('rejects a malformed range', async () => {
      await setup(1);
      expect(thrown(() => exportAuditEvents(store, { since: 1.5 }))).toMatchObject({ code: 'STINT_ERR_BAD_REQUEST' });
      expect(thrown(() => exportAuditEvents(store, { pageSize: 0 }))).toMatchObject({ code: 'STINT_ERR_BAD_REQUEST' });
    });
  });
}

describe('toJsonLine', () => {
  it('writes one JSON object with an ISO time and stable key names, in a stable order', () => {
    const event: AuditEvent = {
      seq: 42,
      ts: Date.parse('2026-12-01T10:11:12.345Z'),
      code: 'ACCESS_DENIED',
      outcome: 'failure',
      actor: 'alice@vendor.example',
      resource: 'billing',
      subject: null,
      summary: 'Line one\nline two',
      data: { reason: 'DENY_NO_GRANT' },
      prevHash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
    };
    const line = toJsonLine(event);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['seq', 'time', 'ts', 'code', 'outcome', 'actor', 'resource', 'subject', 'summary', 'data', 'prev_hash', 'hash']);
    expect(parsed).toMatchObject({ seq: 42, time: '2026-12-01T10:11:12.345Z', subject: null, summary: 'Line one\nline two', prev_hash: 'a'.repeat(64) });
  });
});
