import { describe, expect, it } from 'vitest';
import { EventBus, type DomainEvent } from './event-bus.ts';

const expired = (id: string): DomainEvent => ({
  type: 'request.expired',
  at: 1,
  request: { id, requester: 'a@x.example', resource: 'db', actions: ['write'], tables: [], durationMs: 1000, reason: null, createdAt: 0, expiresAt: 1 },
});

describe('EventBus', () => {
  it('delivers an event only to listeners of its type, in order, until they unsubscribe', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const off = bus.on('request.expired', (e) => void seen.push(`first ${e.request.id}`));
    bus.on('request.expired', (e) => void seen.push(`second ${e.request.id}`));
    bus.on('grant.revoked', () => void seen.push('wrong type'));
    bus.emit(expired('req_1'));
    off();
    bus.emit(expired('req_2'));
    expect(seen).toEqual(['first req_1', 'second req_1', 'second req_2']);
    expect(bus.listenerCount('request.expired')).toBe(1);
  });

  it('keeps a throwing or rejecting listener away from the emitter and the other listeners', async () => {
    const errors: unknown[] = [];
    const bus = new EventBus({ onError: (error) => errors.push(error) });
    const seen: string[] = [];
    bus.on('request.expired', () => {
      throw new Error('sync');
    });
    bus.on('request.expired', () => Promise.reject(new Error('async')));
    bus.on('request.expired', (e) => void seen.push(e.request.id));
    expect(() => bus.emit(expired('req_3'))).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['req_3']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync', 'async']);
  });
});
