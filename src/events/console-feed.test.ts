import { describe, expect, it } from 'vitest';
import type { SessionLifecycle } from '../sessions/session-registry.ts';
import { ConsoleFeed, visibleTo, type ConsoleEvent } from './console-feed.ts';
import { EventBus, type GrantEventView, type RequestEventView } from './event-bus.ts';

const AT = Date.parse('2026-12-01T10:00:00Z');
const ISO = '2026-12-01T10:00:00.000Z';
const request: RequestEventView = { id: 'req_1', requester: 'alice@vendor.example', resource: 'demo', actions: ['write'], tables: [], durationMs: 3_600_000, reason: null, createdAt: AT, expiresAt: AT + 86_400_000 };
const grant: GrantEventView = { id: 'grt_1', email: 'alice@vendor.example', resource: 'demo', actions: ['write'], tables: [], requestId: 'req_1', startsAt: AT, expiresAt: AT + 3_600_000 };

function wired(): { bus: EventBus; lifecycle: (change: SessionLifecycle) => void; seen: ConsoleEvent[]; detach: () => void } {
  const bus = new EventBus();
  const feed = new ConsoleFeed();
  let lifecycle: (change: SessionLifecycle) => void = () => undefined;
  const detach = feed.connect({ events: bus, sessions: { onLifecycle: (listener) => ((lifecycle = listener), () => (lifecycle = () => undefined)) } });
  const seen: ConsoleEvent[] = [];
  feed.subscribe((event) => seen.push(event));
  return { bus, lifecycle: (change) => lifecycle(change), seen, detach };
}

describe('ConsoleFeed', () => {
  it('maps domain events and session changes onto the console event types', () => {
    const { bus, lifecycle, seen } = wired();
    lifecycle({ type: 'started', session: 'ses_1', contractor: 'alice@vendor.example', resource: 'demo', at: AT });
    bus.emit({ type: 'request.created', at: AT, request, approvers: ['pat@corp.example'] });
    bus.emit({ type: 'request.approved', at: AT, request, approvedBy: ['pat@corp.example'], grant });
    bus.emit({ type: 'grant.revoked', at: AT, grant, by: 'pat@corp.example', reason: 'done' });
    bus.emit({ type: 'contractor.offboarded', at: AT, email: 'alice@vendor.example', by: 'admin', reason: 'left', cause: 'manual' });
    bus.emit({ type: 'session.killed', at: AT, session: 'ses_1', contractor: 'alice@vendor.example', resource: 'demo', by: 'admin', reason: 'test' });
    lifecycle({ type: 'ended', session: 'ses_1', contractor: 'alice@vendor.example', resource: 'demo', at: AT });
    expect(seen).toEqual([
      { type: 'session.started', at: ISO, id: 'ses_1', email: 'alice@vendor.example', resource: 'demo' },
      { type: 'request.created', at: ISO, id: 'req_1', email: 'alice@vendor.example', resource: 'demo' },
      { type: 'request.decided', at: ISO, id: 'req_1', email: 'alice@vendor.example', resource: 'demo' },
      { type: 'grant.created', at: ISO, id: 'grt_1', email: 'alice@vendor.example', resource: 'demo' },
      { type: 'grant.ended', at: ISO, id: 'grt_1', email: 'alice@vendor.example', resource: 'demo' },
      { type: 'contractor.changed', at: ISO, email: 'alice@vendor.example' },
      { type: 'session.ended', at: ISO, id: 'ses_1', email: 'alice@vendor.example', resource: 'demo' },
      { type: 'session.ended', at: ISO, id: 'ses_1', email: 'alice@vendor.example', resource: 'demo' },
    ]);
  });

  it('stops listening once detached, and a throwing subscriber does not reach the publisher', () => {
    const { bus, seen, detach } = wired();
    detach();
    bus.emit({ type: 'request.created', at: AT, request, approvers: [] });
    expect(seen).toEqual([]);
    const errors: unknown[] = [];
    const feed = new ConsoleFeed({ onError: (error) => errors.push(error) });
    const after: ConsoleEvent[] = [];
    feed.subscribe(() => {
      throw new Error('broken subscriber');
    });
    feed.subscribe((event) => after.push(event));
    feed.publish({ type: 'contractor.changed', at: ISO });
    expect(after).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it('shows staff everything and a contractor only events about themself', () => {
    const aboutAlice: ConsoleEvent = { type: 'grant.created', at: ISO, email: 'alice@vendor.example' };
    const aboutNobody: ConsoleEvent = { type: 'contractor.changed', at: ISO };
    expect(visibleTo(aboutAlice, { email: 'pat@corp.example', staff: true })).toBe(true);
    expect(visibleTo(aboutNobody, { email: 'pat@corp.example', staff: true })).toBe(true);
    expect(visibleTo(aboutAlice, { email: 'Alice@Vendor.example', staff: false })).toBe(true);
    expect(visibleTo(aboutAlice, { email: 'carol@vendor.example', staff: false })).toBe(false);
    expect(visibleTo(aboutNobody, { email: 'alice@vendor.example', staff: false })).toBe(false);
  });
});
