import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../test/support/test-store.ts';
import { openStore } from '../store/open-store.ts';
import { ManualClock } from '../time/clock.ts';
import { AuditLog } from './audit-log.ts';
import { searchAuditEvents } from './audit-search.ts';
import { FTS_MARK_KEY } from './audit-sqlite-writer.ts';

const event = (word: string) => ({ code: 'SERVER_STARTED' as const, actor: 'system:test', summary: `${word} happened`, data: { word } });

describe('SQLite audit write path: full-text rows after the events', () => {
  let store: TestStore | undefined;
  afterEach(async () => {
    await store?.destroy();
    store = undefined;
  });

  it('holds full-text rows back briefly, yet a search right after an append finds the event', async () => {
    store = await openTestStore('sqlite');
    const log = new AuditLog({ store, clock: new ManualClock() });
    await log.append(event('quokka'));
    const mark = await store.db.selectFrom('meta').select('value').where('key', '=', FTS_MARK_KEY).executeTakeFirstOrThrow();
    expect(mark.value).toBe('0');
    const found = await searchAuditEvents(store, { text: 'quokka' });
    expect(found.events.map((e) => e.seq)).toEqual([1]);
    const moved = await store.db.selectFrom('meta').select('value').where('key', '=', FTS_MARK_KEY).executeTakeFirstOrThrow();
    expect(moved.value).toBe('1');
    await log.close();
  });

  it('writes the rows a closed store kept back when the next writer starts, exactly once', async () => {
    store = await openTestStore('sqlite');
    const log = new AuditLog({ store, clock: new ManualClock() });
    await Promise.all(['axolotl', 'pangolin', 'narwhal'].map((word) => log.append(event(word))));
    // The store goes away with the rows still queued in this process, as in a crash.
    await store.close();

    const reopened = await openStore({ dataDir: store.dataDir });
    try {
      const mark = await reopened.db.selectFrom('meta').select('value').where('key', '=', FTS_MARK_KEY).executeTakeFirstOrThrow();
      expect(mark.value).toBe('0');
      const next = new AuditLog({ store: reopened, clock: new ManualClock() });
      await next.append(event('okapi'));
      for (const word of ['axolotl', 'pangolin', 'narwhal', 'okapi']) {
        const found = await searchAuditEvents(reopened, { text: word });
        expect(found.events.map((e) => e.summary)).toEqual([`${word} happened`]);
      }
      const after = await reopened.db.selectFrom('meta').select('value').where('key', '=', FTS_MARK_KEY).executeTakeFirstOrThrow();
      expect(after.value).toBe('4');
      await next.close();
    } finally {
      await reopened.close();
    }
  });
});
