import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { ManualClock } from '../time/clock.ts';
import { ConsoleFeed, type ConsoleEvent } from './console-feed.ts';
import { ConsoleFeedTail, consoleEventFor } from './console-feed-tail.ts';

const AT = '2026-12-01T10:00:00.000Z';

describe('consoleEventFor', () => {
  const row = (code: string, fields: { actor?: string; subject?: string | null; resource?: string | null; data?: unknown }) => ({
    seq: 1,
    ts: Date.parse(AT),
    code,
    actor: fields.actor ?? 'system',
    subject: fields.subject ?? null,
    resource: fields.resource ?? null,
    data: JSON.stringify(fields.data ?? {}),
  });

  it('names the contractor each notice is about, so contractors get only their own', () => {
    expect(consoleEventFor(row('SESSION_STARTED', { actor: 'alice@vendor.example', subject: 'ses_1', resource: 'demo', data: { session: 'ses_1' } }))).toEqual({
      type: 'session.started',
      at: AT,
      id: 'ses_1',
      email: 'alice@vendor.example',
      resource: 'demo',
    });
    expect(consoleEventFor(row('REQUEST_DENIED', { actor: 'pat@corp.example', subject: 'req_1', resource: 'demo', data: { request: 'req_1', requester: 'alice@vendor.example' } }))).toEqual({
      type: 'request.decided',
      at: AT,
      id: 'req_1',
      email: 'alice@vendor.example',
      resource: 'demo',
    });
    // The approver is the actor of an approval; the notice is about the requester.
    expect(consoleEventFor(row('REQUEST_APPROVED', { actor: 'pat@corp.example', subject: 'req_1', data: { request: 'req_1', requester: 'alice@vendor.example' } }))?.email).toBe('alice@vendor.example');
    expect(consoleEventFor(row('GRANT_EXPIRED', { actor: 'system:expiry', subject: 'alice@vendor.example', resource: 'demo', data: { grant: 'grt_1' } }))).toMatchObject({
      type: 'grant.ended',
      id: 'grt_1',
      email: 'alice@vendor.example',
    });
    expect(consoleEventFor(row('INVITE_ACCEPTED', { actor: 'Dan@Vendor.example', subject: 'Dan@Vendor.example' }))).toEqual({ type: 'contractor.changed', at: AT, email: 'dan@vendor.example' });
    // A decision whose requester is not recorded goes to staff only (no email).
    expect(consoleEventFor(row('REQUEST_DENIED', { actor: 'pat@corp.example', subject: 'req_2', data: {} }))).toEqual({ type: 'request.decided', at: AT, id: 'req_2' });
    expect(consoleEventFor(row('STATEMENT_ALLOWED', { actor: 'alice@vendor.example' }))).toBeNull();
  });
});

for (const engine of STORE_ENGINES) {
  describe(`ConsoleFeedTail (${engine})`, () => {
    let store: TestStore;
    let audit: AuditLog;
    const logger = pino({ level: 'silent' });
    beforeEach(async () => {
      store = await openTestStore(engine);
      audit = new AuditLog({ store, clock: new ManualClock(AT), logger });
    });
    afterEach(async () => {
      await audit.close();
      await store.destroy();
    });

    it('announces changes recorded by any node, from the moment someone watches, once', async () => {
      const feed = new ConsoleFeed();
      const tail = new ConsoleFeedTail({ store, feed, logger });
      // History before anyone watched is not replayed.
      await audit.append({ code: 'SESSION_STARTED', actor: 'old@vendor.example', resource: 'demo', subject: 'ses_old', summary: 'old', data: { session: 'ses_old' } });
      const seen: ConsoleEvent[] = [];
      await tail.pollOnce();
      const unsubscribe = feed.subscribe((event) => seen.push(event));
      await tail.pollOnce();

      await audit.append({ code: 'SESSION_STARTED', actor: 'alice@vendor.example', resource: 'demo', subject: 'ses_b', summary: 'on another node', data: { session: 'ses_b' } });
      await audit.append({ code: 'STATEMENT_ALLOWED', actor: 'alice@vendor.example', resource: 'demo', subject: 'ses_b', summary: 'not a console change', data: { session: 'ses_b' } });
      // Announced here already (this node's bus): the record does not announce it again.
      feed.publish({ type: 'grant.created', at: AT, id: 'grt_1', email: 'alice@vendor.example', resource: 'demo' });
      await audit.append({ code: 'GRANT_CREATED', actor: 'pat@corp.example', resource: 'demo', subject: 'alice@vendor.example', summary: 'grant', data: { grant: 'grt_1' } });
      await audit.append({ code: 'REQUEST_CANCELLED', actor: 'alice@vendor.example', resource: 'demo', subject: 'req_9', summary: 'withdrawn', data: { request: 'req_9', requester: 'alice@vendor.example' } });
      await tail.pollOnce();
      await tail.pollOnce();
      // The grant once (from the local announcement, delivered at once), the rest from the record.
      expect(seen.map((e) => `${e.type} ${e.id ?? ''}`)).toEqual(['grant.created grt_1', 'session.started ses_b', 'request.decided req_9']);
      // Nobody watching: the tail stops reading, and starts from then on when someone watches again.
      unsubscribe();
      await tail.pollOnce();
      await audit.append({ code: 'SESSION_ENDED', actor: 'alice@vendor.example', resource: 'demo', subject: 'ses_b', summary: 'while nobody watched', data: { session: 'ses_b' } });
      seen.length = 0;
      feed.subscribe((event) => seen.push(event));
      await tail.pollOnce();
      await audit.append({ code: 'CONTRACTOR_OFFBOARDED', actor: 'admin', subject: 'alice@vendor.example', summary: 'offboarded', data: {} });
      await tail.pollOnce();
      expect(seen).toEqual([{ type: 'contractor.changed', at: AT, email: 'alice@vendor.example' }]);
    });
  });
}
