/**
 * Shared set-up for the identity tests: a fresh store of one engine, a
 * recording audit sink, a manual clock and a small policy. Used only by tests.
 */
import { RecordingAuditSink } from '../../test/support/recording-audit-sink.ts';
import { openTestStore, type TestStore } from '../../test/support/test-store.ts';
import type { RoleInfo } from '../access/access-model.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';
import type { StoreEngine } from '../store/store.ts';
import { ManualClock } from '../time/clock.ts';
import { ContractorRepository } from './contractor-repository.ts';
import { InviteService } from './invite-service.ts';
import { TokenService } from './token-service.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const T0 = Date.parse('2026-12-01T00:00:00Z');

function role(name: string): RoleInfo {
  return { name, grants: [{ resources: { names: ['demo'] }, actions: ['read'] }], denies: [], maxSessionMs: null };
}

export function testPolicy(): CompiledPolicy {
  return {
    settings: { contractorsOwner: 'api', inviteTtlMs: 72 * HOUR, tokenTtlMs: 30 * DAY, defaultEngagementMs: 30 * DAY },
    resources: [{ name: 'demo', kind: 'postgres', labels: { env: 'dev' }, address: '127.0.0.1:5432' }],
    roles: [role('readonly'), role('readwrite')],
    contractors: [],
    staff: [
      { email: 'bob@corp.example', roles: ['approver', 'auditor'], groups: [] },
      { email: 'carol@corp.example', roles: ['admin'], groups: [] },
    ],
  };
}

export interface IdentityKit {
  readonly store: TestStore;
  readonly audit: RecordingAuditSink;
  readonly clock: ManualClock;
  readonly contractors: ContractorRepository;
  readonly tokens: TokenService;
  readonly invites: InviteService;
  setPolicy(policy: CompiledPolicy | null): void;
  destroy(): Promise<void>;
}

export async function openIdentityKit(engine: StoreEngine): Promise<IdentityKit> {
  const store = await openTestStore(engine);
  const clock = new ManualClock(T0);
  const audit = new RecordingAuditSink({ clock });
  let current: CompiledPolicy | null = testPolicy();
  const policy = (): CompiledPolicy | null => current;
  const contractors = new ContractorRepository({ store });
  const tokens = new TokenService({ store, audit, clock, policy, contractors });
  const invites = new InviteService({ store, audit, clock, policy, tokens, contractors });
  return {
    store,
    audit,
    clock,
    contractors,
    tokens,
    invites,
    setPolicy: (next) => {
      current = next;
    },
    destroy: () => store.destroy(),
  };
}

/** Every row of a table, for "nothing was written" assertions. */
export async function countRows(kit: IdentityKit, table: 'contractors' | 'tokens' | 'invites'): Promise<number> {
  const { n } = await kit.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
