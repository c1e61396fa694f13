import type { Logger } from 'pino';
import { AuditLog } from '../audit/audit-log.ts';
import { ContractorRepository } from '../identity/contractor-repository.ts';
import { InviteService } from '../identity/invite-service.ts';
import { TokenService } from '../identity/token-service.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { SessionRegistry } from '../sessions/session-registry.ts';
import { AccessState } from './access-state.ts';
import { PolicyControl } from './policy-control.ts';

/** The services every front door (API, proxies) shares, wired once. */
export interface ControlPlane {
  readonly store: Store;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly contractors: ContractorRepository;
  readonly tokens: TokenService;
  readonly invites: InviteService;
  readonly policy: PolicyControl;
  readonly access: AccessState;
  readonly sessions: SessionRegistry;
}

export function buildControlPlane(deps: { store: Store; clock: Clock; logger: Logger; sessionPollMs?: number }): ControlPlane {
  const { store, clock, logger } = deps;
  const audit = new AuditLog({ store, clock, logger });
  // Tokens and invites read the policy in force; the closure runs only once `policy` exists.
  const currentPolicy = (): CompiledPolicy | null => policy.current()?.compiled ?? null;
  const contractors = new ContractorRepository({ store });
  const tokens = new TokenService({ store, audit, clock, policy: currentPolicy, contractors });
  const invites = new InviteService({ store, audit, clock, policy: currentPolicy, tokens, contractors });
  const policy = new PolicyControl({ store, audit, clock, contractors, tokens });
  const access = new AccessState({ policy, contractors, clock, logger });
  const sessions = new SessionRegistry({ store, audit, clock, logger, ...(deps.sessionPollMs === undefined ? {} : { pollMs: deps.sessionPollMs }) });
  return { store, clock, audit, contractors, tokens, invites, policy, access, sessions };
}
