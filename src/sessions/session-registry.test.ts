import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingAuditSink } from '../../test/support/recording-audit-sink.ts';
import { openTestStore, STORE_ENGINES, type TestStore } from '../../test/support/test-store.ts';
import { systemClock } from '../time/clock.ts';
import type { LiveSession } from './live-session.ts';
import { SessionRegistry } from './session-registry.ts';
import type { SessionEndReason, SessionStart } from './session-types.ts';

const logger = pino({ level: 'silent' });

/** Stands in for a protocol session: records what it was told, then reports itself finished. */
class FakeConnection {
  ended: { reason: SessionEndReason; message: string; at: number } | null = null;
  live: LiveSession | null = null;
  terminate(reason: SessionEndReason, message: string): void {
    this.ended = { reason, message, at: Date.now() };
    void this.live?.finish(reason);
  }
}

function start(overrides: Partial<SessionStart> = {}): SessionStart {
  return { protocol: 'postgres', contractor: 'alice@vendor.example', resource: 'demo', clientAddress: '127.0.0.1', tls: true, tokenId: 'tok_1', expiresAt: null, ...overrides };
}

async function open(registry: SessionRegistry, overrides: Partial<SessionStart> = {}): Promise<{ live: LiveSession; connection: FakeConnection }> {
  const connection = new FakeConnection();
  const live = await registry.open(start(overrides), connection);
  connection.live = live;
  return { live, connection };
}

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const engine of STORE_ENGINES) {
  describe(`SessionRegistry (${engine})`, () => {
    let store: TestStore | undefined;
    let registry: SessionRegistry | undefined;
    afterEach(async () => {
      await registry?.stop(1000);
      await store?.destroy();
      registry = undefined;
      store = undefined;
    });

    async function setup(): Promise<{ registry: SessionRegistry; audit: RecordingAuditSink; store: TestStore }> {
      store = await openTestStore(engine);
      const audit = new RecordingAuditSink();
      registry = new SessionRegistry({ store, audit, clock: systemClock, logger, pollMs: 50 });
      registry.start();
      return { registry, audit, store };
    }

    it('records start and end, with counters, in the store and the audit log', async () => {
      const { registry, audit } = await setup();
      const { live } = await open(registry);
      live.statements = 3;
      live.bytesIn = 100;
      expect((await registry.list({ live: true })).map((s) => s.id)).toEqual([live.id]);
      await live.finish('client_closed');
      expect(await registry.list({ live: true })).toEqual([]);
      const [past] = await registry.list();
      expect(past).toMatchObject({ id: live.id, endReason: 'client_closed', statements: 3, bytesIn: 100 });
      expect(audit.codes()).toEqual(['SESSION_STARTED', 'SESSION_ENDED']);
    });

    it('ends a session at its expiry instant, by a timer', async () => {
      const { registry } = await setup();
      const expiresAt = Date.now() + 300;
      const { connection } = await open(registry, { expiresAt });
      await waitFor(() => connection.ended !== null);
      expect(connection.ended?.reason).toBe('expired');
      expect(connection.ended!.at).toBeGreaterThanOrEqual(expiresAt);
      // The timer fires within milliseconds; the bound leaves room for a loaded machine, far inside the 1 s promise.
      expect(connection.ended!.at - expiresAt).toBeLessThan(250);
      expect(connection.ended?.message).toContain(new Date(expiresAt).toISOString());
    });

    it('kills a session on request and audits the request first', async () => {
      const { registry, audit } = await setup();
      const { live, connection } = await open(registry);
      await registry.kill(live.id, 'admin@corp.example', 'incident 42');
      expect(connection.ended).toMatchObject({ reason: 'killed' });
      expect(connection.ended?.message).toContain('incident 42');
      expect(audit.codes()).toContain('SESSION_KILL_REQUESTED');
      await expect(registry.kill('ses_nope', 'admin')).rejects.toMatchObject({ code: 'STINT_ERR_NOT_FOUND' });
    });

    it('picks up a kill requested by another node through the store', async () => {
      const { registry, store } = await setup();
      const other = new SessionRegistry({ store, audit: new RecordingAuditSink(), clock: systemClock, logger, pollMs: 50 });
      const { live, connection } = await open(registry);
      await other.kill(live.id, 'admin@corp.example');
      await waitFor(() => connection.ended !== null, 1000);
      expect(connection.ended?.reason).toBe('killed');
    });

    it('ends sessions whose token was revoked within a poll interval', async () => {
      const { registry, store } = await setup();
      await store.db
        .insertInto('tokens')
        .values({ id: 'tok_1', hash: 'h', subject: 'alice@vendor.example', subject_kind: 'contractor', created_at: 0, created_by: 't', expires_at: null, revoked_at: null, revoked_by: null, revoked_reason: null, last_used_at: null, label: null })
        .execute();
      const { connection } = await open(registry);
      const unrelated = await open(registry, { tokenId: 'tok_2' });
      await store.db.updateTable('tokens').set({ revoked_at: Date.now() }).where('id', '=', 'tok_1').execute();
      const revokedAt = Date.now();
      await waitFor(() => connection.ended !== null, 1000);
      expect(connection.ended?.reason).toBe('token_revoked');
      expect(Date.now() - revokedAt).toBeLessThan(1000);
      expect(unrelated.connection.ended).toBeNull();
    });

    it('ends every local session on stop', async () => {
      const { registry } = await setup();
      const a = await open(registry);
      const b = await open(registry);
      await registry.stop(1000);
      expect([a.connection.ended?.reason, b.connection.ended?.reason]).toEqual(['server_shutdown', 'server_shutdown']);
    });
  });
}
