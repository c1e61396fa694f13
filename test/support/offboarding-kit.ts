import pino from 'pino';
import { buildControlPlane, type ControlPlane } from '../../src/control/control-plane.ts';
import type { DomainEvent } from '../../src/events/event-bus.ts';
import type { LiveSession } from '../../src/sessions/live-session.ts';
import { SessionRegistry } from '../../src/sessions/session-registry.ts';
import type { SessionEndReason, SessionStart } from '../../src/sessions/session-types.ts';
import type { StoreEngine } from '../../src/store/store.ts';
import { systemClock } from '../../src/time/clock.ts';
import { openTestStore, type TestStore } from './test-store.ts';

/**
 * Shared set-up for the offboarding tests: a control plane on real timers
 * over a fresh store, a policy whose contractors the files own, and helpers to
 * give a contractor one of everything offboarding must take away.
 */
export const ALICE = 'alice@vendor.example';
export const BOB = 'bob@vendor.example';
export const ADMIN = 'admin@corp.example';

export const logger = pino({ level: 'silent' });

export function policyYaml(contractors: { email: string; until: string; roles?: string }[]): string {
  const entries = contractors
    .map((c) => `  ${c.email}: { name: ${c.email.split('@')[0]}, company: Vendor, sponsor: ${ADMIN}, roles: [${c.roles ?? 'readwrite'}], until: "${c.until}" }`)
    .join('\n');
  return `version: 1
settings:
  contractors: files
resources:
  demo:
    kind: postgres
    address: 127.0.0.1:5432
    labels: { env: dev }
  reporting:
    kind: postgres
    address: 127.0.0.1:5432
    labels: { env: dev }
roles:
  readonly:
    grants:
      - resources: { labels: { env: dev } }
        actions: [read]
  readwrite:
    grants:
      - resources: { names: [demo] }
        actions: [read, write]
staff:
  ${ADMIN}: { name: Admin, roles: [admin] }
${entries === '' ? '' : `contractors:\n${entries}\n`}`;
}

/** Stands in for a protocol session: records what it was told, then reports itself finished. */
export class FakeConnection {
  ended: { reason: SessionEndReason; message: string; at: number } | null = null;
  live: LiveSession | null = null;

  terminate(reason: SessionEndReason, message: string): void {
    this.ended = { reason, message, at: Date.now() };
    void this.live?.finish(reason);
  }
}

export interface OffboardingKit {
  readonly store: TestStore;
  readonly plane: ControlPlane;
  readonly events: DomainEvent[];
  /** A second gateway node on the same store (its own registry). */
  readonly otherNode: SessionRegistry;
  apply(contractors: { email: string; until: string; roles?: string }[]): Promise<void>;
  open(registry: SessionRegistry, email: string, tokenId: string, resource?: string): Promise<FakeConnection>;
  /** A pending request and an active grant, written as the request workflow would. */
  requestAndGrant(email: string): Promise<{ requestId: string; grantId: string }>;
  codes(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startOffboardingKit(engine: StoreEngine, contractors: { email: string; until: string; roles?: string }[]): Promise<OffboardingKit> {
  const store = await openTestStore(engine);
  const plane = buildControlPlane({ store, clock: systemClock, logger, sessionPollMs: 50 });
  const events: DomainEvent[] = [];
  for (const type of ['contractor.offboarded', 'grant.revoked', 'session.killed', 'policy.applied'] as const) plane.events.on(type, (event) => void events.push(event));
  const apply = async (list: { email: string; until: string; roles?: string }[]): Promise<void> => {
    await plane.policy.apply([{ path: 'policy.yaml', content: policyYaml(list) }], 'system:test');
    await plane.access.refresh();
  };
  await apply(contractors);
  plane.sessions.start();
  const otherNode = new SessionRegistry({ store, audit: plane.audit, clock: systemClock, logger, pollMs: 50, nodeId: 'node-b' });
  otherNode.start();
  let counter = 0;
  return {
    store,
    plane,
    events,
    otherNode,
    apply,
    async open(registry, email, tokenId, resource = 'demo') {
      const start: SessionStart = { protocol: 'postgres', contractor: email, resource, clientAddress: '127.0.0.1', tls: true, tokenId, expiresAt: null };
      const connection = new FakeConnection();
      connection.live = await registry.open(start, connection);
      return connection;
    },
    async requestAndGrant(email) {
      counter += 1;
      const now = Date.now();
      const requestId = `req_test${counter}`;
      const grantId = `grt_test${counter}`;
      await store.db
        .insertInto('access_requests')
        .values({ id: requestId, requester: email, resource: 'demo', actions: '["write"]', tables: '[]', duration_ms: 3_600_000, reason: 'TICKET-1', status: 'pending', created_at: now, expires_at: now + 3_600_000, decided_at: null, decided_by: null, decision_reason: null, grant_id: null })
        .execute();
      await store.db
        .insertInto('grants')
        .values({ id: grantId, email, resource: 'reporting', actions: '["write"]', tables: '[]', request_id: null, starts_at: now - 1000, expires_at: now + 3_600_000, revoked_at: null, revoked_by: null, revoked_reason: null, expiry_recorded_at: null })
        .execute();
      await plane.access.refresh();
      return { requestId, grantId };
    },
    async codes() {
      await plane.audit.flush();
      const rows = await store.db.selectFrom('audit_events').select('code').orderBy('seq').execute();
      return rows.map((row) => row.code);
    },
    async close() {
      plane.engagements.stop();
      await plane.webhooks.stop();
      await otherNode.stop(1000);
      await plane.sessions.stop(1000);
      await plane.audit.close();
      await store.destroy();
    },
  };
}

export async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
