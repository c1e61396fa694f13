/**
 * Shared set-up for the request tests: a fresh store of one engine, the whole
 * control plane over it with a policy holding approval rules, and helpers to
 * read the audit log and the events. Used only by tests.
 */
import pino from 'pino';
import { openTestStore, type TestStore } from '../../test/support/test-store.ts';
import { buildControlPlane, type ControlPlane } from '../control/control-plane.ts';
import type { DomainEvent } from '../events/event-bus.ts';
import { DOMAIN_EVENT_TYPES } from '../events/event-bus.ts';
import type { StoreEngine } from '../store/store.ts';
import { ManualClock, type Clock } from '../time/clock.ts';
import type { Actor } from './request-types.ts';

export const T0 = Date.parse('2026-12-01T00:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** billing is prod (write needs two of group:dba); demo is dev (write needs erin); ddl on billing is denied to alice by a role. */
export function requestPolicy(options: { requestTtl?: string } = {}): string {
  return `version: 1
settings:
  contractors: files
  request_ttl: ${options.requestTtl ?? '1h'}
resources:
  billing: { kind: postgres, address: "127.0.0.1:5432", labels: { env: prod } }
  demo: { kind: postgres, address: "127.0.0.1:5432", labels: { env: dev } }
roles:
  readonly:
    grants:
      - resources: { names: [demo, billing] }
        actions: [read]
  billing-reader:
    grants:
      - resources: { names: [billing] }
        actions: [read]
  no-billing-ddl:
    deny:
      - resources: { names: [billing] }
        actions: [ddl]
contractors:
  alice@vendor.example: { name: Alice, company: Vendor, sponsor: ops@corp.example, roles: [readonly, no-billing-ddl], until: 2099-03-31 }
  carl@vendor.example: { name: Carl, company: Vendor, sponsor: ops@corp.example, roles: [billing-reader], until: 2099-03-31 }
  bob@vendor.example: { name: Bob, company: Vendor, sponsor: ops@corp.example, roles: [readonly], until: "2026-12-01T12:00:00Z" }
staff:
  ops@corp.example: { roles: [admin] }
  dana@corp.example: { roles: [approver], groups: [dba] }
  dave@corp.example: { roles: [approver], groups: [dba] }
  erin@corp.example: { roles: [approver] }
  audrey@corp.example: { roles: [auditor] }
approvals:
  - resources: { labels: { env: prod } }
    actions: [write]
    approvers: ["group:dba"]
    min_approvals: 2
    max_duration: 4h
    require_reason: true
  - resources: { names: [demo] }
    actions: [write]
    approvers: [erin@corp.example]
    max_duration: 1h
  - resources: { names: [billing] }
    actions: [ddl]
    approvers: [erin@corp.example]
    max_duration: 1h
`;
}

export const ALICE: Actor = { email: 'alice@vendor.example', apiRoles: ['contractor'] };
export const BOB: Actor = { email: 'bob@vendor.example', apiRoles: ['contractor'] };
export const CARL: Actor = { email: 'carl@vendor.example', apiRoles: ['contractor'] };
export const OPS: Actor = { email: 'ops@corp.example', apiRoles: ['admin'] };
export const DANA: Actor = { email: 'dana@corp.example', apiRoles: ['approver'] };
export const DAVE: Actor = { email: 'dave@corp.example', apiRoles: ['approver'] };
export const ERIN: Actor = { email: 'erin@corp.example', apiRoles: ['approver'] };
export const AUDREY: Actor = { email: 'audrey@corp.example', apiRoles: ['auditor'] };

export interface RequestKit {
  readonly store: TestStore;
  readonly plane: ControlPlane;
  /** Every domain event emitted, oldest first. */
  readonly events: DomainEvent[];
  /** Audit events of these codes, oldest first, once everything queued is written. */
  audit(...codes: string[]): Promise<{ code: string; actor: string; subject: string | null; summary: string; data: Record<string, unknown> }[]>;
  destroy(): Promise<void>;
}

export async function openRequestKit(engine: StoreEngine, options: { clock?: Clock; policy?: string } = {}): Promise<RequestKit> {
  const store = await openTestStore(engine);
  const clock = options.clock ?? new ManualClock(T0);
  const plane = buildControlPlane({ store, clock, logger: pino({ level: 'silent' }) });
  await plane.policy.apply([{ path: 'policy.yaml', content: options.policy ?? requestPolicy() }], 'system:test');
  await plane.access.refresh();
  const events: DomainEvent[] = [];
  for (const type of DOMAIN_EVENT_TYPES) plane.events.on(type, (event) => void events.push(event));
  return {
    store,
    plane,
    events,
    async audit(...codes) {
      await plane.audit.flush();
      const rows = await store.db.selectFrom('audit_events').select(['code', 'actor', 'subject', 'summary', 'data']).where('code', 'in', codes).orderBy('seq').execute();
      return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
    },
    async destroy() {
      plane.requests.stop();
      await plane.sessions.stop(1000);
      await plane.audit.close();
      await store.destroy();
    },
  };
}
