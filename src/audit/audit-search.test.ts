import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { ManualClock } from '../time/clock.ts';
import type { AuditEventInput } from './audit-event.ts';
import { AuditLog } from './audit-log.ts';
import { decodeCursor, encodeCursor, searchAuditEvents, type AuditSearchQuery } from './audit-search.ts';

const START = Date.parse('2026-12-01T00:00:00Z');
const MINUTE = 60_000;

/** One event per minute from START, in this order (seq 1 first). */
const EVENTS: AuditEventInput[] = [
  { code: 'AUTH_SUCCEEDED', actor: 'alice@vendor.example', summary: 'Token accepted.' },
  { code: 'ACCESS_ALLOWED', actor: 'alice@vendor.example', resource: 'billing', summary: 'SELECT on invoices allowed.', data: { statement: 'SELECT * FROM invoices' } },
  { code: 'ACCESS_DENIED', actor: 'alice@vendor.example', resource: 'billing', summary: 'DROP TABLE blocked by guardrail.', data: { reason: 'DENY_GUARDRAIL_DDL' } },
  { code: 'AUTH_TOKEN_UNKNOWN', actor: 'anonymous@10.0.0.9', summary: 'Unknown token presented.' },
  { code: 'TOKEN_CREATED', actor: 'admin:tok_1', subject: 'bob@contractor.example', summary: 'Token issued for Bob.', data: { contact: 'carol@vendor.example' } },
  { code: 'ACCESS_ALLOWED', actor: 'bob@contractor.example', resource: 'crm', summary: 'SELECT on customers allowed.', data: { statement: 'SELECT name FROM customers' } },
  { code: 'AUTH_TOKEN_EXPIRED', actor: 'bob@contractor.example', summary: 'Expired token presented.' },
  { code: 'ACCESS_DENIED', actor: 'bob@contractor.example', resource: 'crm', summary: 'DELETE without WHERE blocked.', data: { statementKind: 'DELETE' } },
];

for (const engine of STORE_ENGINES) {
  describe(`searchAuditEvents (${engine})`, () => {
    let store: TestStore;
    let log: AuditLog;
    let clock: ManualClock;
    afterEach(async () => {
      await store.destroy();
    });

    async function setup(): Promise<void> {
      store = await openTestStore(engine);
      clock = new ManualClock(START);
      log = new AuditLog({ store, clock });
      for (const event of EVENTS) {
        await log.append(event);
        clock.advance(MINUTE);
      }
    }

    const seqs = async (q: AuditSearchQuery) => (await searchAuditEvents(store, q)).events.map((e) => e.seq);

    it('returns the newest first, with default and explicit limits', async () => {
      await setup();
      expect(await seqs({})).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
      const page = await searchAuditEvents(store, { limit: 3 });
      expect(page.events.map((e) => e.seq)).toEqual([8, 7, 6]);
      expect(page.events[0]).toMatchObject({ code: 'ACCESS_DENIED', outcome: 'failure', resource: 'crm', data: { statementKind: 'DELETE' } });
      expect(page.nextCursor).not.toBeNull();
    });

    it('finds words anywhere in the summary, code, actor, resource, subject and data values', async () => {
      await setup();
      expect(await seqs({ text: 'invoices' })).toEqual([2]);
      expect(await seqs({ text: 'blocked' })).toEqual([8, 3]);
      expect(await seqs({ text: 'GUARDRAIL' })).toEqual([3]);
      expect(await seqs({ text: 'crm' })).toEqual([8, 6]);
      expect(await seqs({ text: 'token_unknown' })).toEqual([4]);
      expect(await seqs({ text: 'customers' })).toEqual([6]);
      // Data keys are not indexed, only values.
      expect(await seqs({ text: 'statementKind' })).toEqual([]);
    });

    it('finds an email as a whole and by its parts, in actor, subject and data', async () => {
      await setup();
      expect(await seqs({ text: 'alice@vendor.example' })).toEqual([3, 2, 1]);
      expect(await seqs({ text: 'bob@contractor.example' })).toEqual([8, 7, 6, 5]);
      expect(await seqs({ text: 'carol@vendor.example' })).toEqual([5]);
      expect(await seqs({ text: 'vendor.example' })).toEqual([5, 3, 2, 1]);
      expect(await seqs({ text: 'alice' })).toEqual([3, 2, 1]);
      expect(await seqs({ text: 'mallory@vendor.example' })).toEqual([]);
      // The parts must appear together, in order.
      expect(await seqs({ text: 'example@vendor.alice' })).toEqual([]);
    });

    it('ANDs the words and treats quotes and operators as plain text', async () => {
      await setup();
      expect(await seqs({ text: 'allowed SELECT' })).toEqual([6, 2]);
      expect(await seqs({ text: 'allowed customers' })).toEqual([6]);
      expect(await seqs({ text: 'allowed drop' })).toEqual([]);
      expect(await seqs({ text: '"drop" OR NEAR(*)' })).toEqual([]);
      expect(await seqs({ text: '"drop" table*' })).toEqual([3]);
      expect(await seqs({ text: 'Token  accepted' })).toEqual([1]);
    });

    it('filters by actor, resource and code exactly, and code by a prefix ending in *', async () => {
      await setup();
      expect(await seqs({ actor: 'alice@vendor.example' })).toEqual([3, 2, 1]);
      expect(await seqs({ actor: 'alice' })).toEqual([]);
      expect(await seqs({ resource: 'crm' })).toEqual([8, 6]);
      expect(await seqs({ code: 'ACCESS_DENIED' })).toEqual([8, 3]);
      expect(await seqs({ code: 'ACCESS' })).toEqual([]);
      expect(await seqs({ code: 'AUTH_*' })).toEqual([7, 4, 1]);
      expect(await seqs({ code: 'AUTH_TOKEN_*' })).toEqual([7, 4]);
      // `_` is not a wildcard in a prefix.
      expect(await seqs({ code: 'AUTH%*' })).toEqual([]);
      expect(await seqs({ code: 'ACCESS_*', actor: 'bob@contractor.example', text: 'blocked' })).toEqual([8]);
    });

    it('filters by time range: since inclusive, until exclusive, also with text', async () => {
      await setup();
      const at = (i: number) => START + i * MINUTE; // the ts of seq i + 1
      expect(await seqs({ since: at(5) })).toEqual([8, 7, 6]);
      expect(await seqs({ until: at(2) })).toEqual([2, 1]);
      expect(await seqs({ since: at(1), until: at(3) })).toEqual([3, 2]);
      expect(await seqs({ text: 'allowed', since: at(3) })).toEqual([6]);
      expect(await seqs({ text: 'alice@vendor.example', until: at(1) })).toEqual([1]);
    });

    it('pages with a cursor that stays stable while new events arrive', async () => {
      await setup();
      const first = await searchAuditEvents(store, { limit: 3 });
      expect(first.events.map((e) => e.seq)).toEqual([8, 7, 6]);
      for (let i = 0; i < 4; i += 1) await log.append({ code: 'ACCESS_ALLOWED', actor: 'dave@vendor.example', summary: 'late arrival' });
      const second = await searchAuditEvents(store, { limit: 3, cursor: first.nextCursor! });
      expect(second.events.map((e) => e.seq)).toEqual([5, 4, 3]);
      const third = await searchAuditEvents(store, { limit: 3, cursor: second.nextCursor! });
      expect(third.events.map((e) => e.seq)).toEqual([2, 1]);
      expect(third.nextCursor).toBeNull();
      // The new events are on a fresh first page.
      expect(await seqs({ limit: 4 })).toEqual([12, 11, 10, 9]);
    });

    it('pages through text matches too', async () => {
      await setup();
      const first = await searchAuditEvents(store, { text: 'vendor.example', limit: 2 });
      expect(first.events.map((e) => e.seq)).toEqual([5, 3]);
      const second = await searchAuditEvents(store, { text: 'vendor.example', limit: 2, cursor: first.nextCursor! });
      expect(second.events.map((e) => e.seq)).toEqual([2, 1]);
      expect(second.nextCursor).toBeNull();
    });

    it('rejects bad input with STINT_ERR_BAD_REQUEST', async () => {
      await setup();
      const bad: AuditSearchQuery[] = [
        { limit: 0 },
        { limit: 501 },
        { limit: 2.5 },
        { cursor: 'nonsense!' },
        { cursor: Buffer.from('v1:abc').toString('base64url') },
        { cursor: Buffer.from('v2:5').toString('base64url') },
        { code: '*' },
        { code: 'AUTH_*_X' },
        { text: '@@@ ...' },
        { text: 'x'.repeat(1001) },
        { since: Number.NaN },
        { until: 1.5 },
      ];
      for (const q of bad) await expect(searchAuditEvents(store, q), JSON.stringify(q)).rejects.toMatchObject({ code: 'STINT_ERR_BAD_REQUEST' });
      expect(await seqs({ text: '   ' })).toHaveLength(8);
    });
  });
}

describe('search cursor', () => {
  it('round-trips a seq and is opaque', () => {
    expect(decodeCursor(encodeCursor(12345))).toBe(12345);
    expect(encodeCursor(12345)).not.toContain('12345');
  });
});
