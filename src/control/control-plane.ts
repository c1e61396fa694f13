import type { Logger } from 'pino';
import { AuditLog } from '../audit/audit-log.ts';
import { ConsoleFeed } from '../events/console-feed.ts';
import { EventBus } from '../events/event-bus.ts';
import { ContractorRepository } from '../identity/contractor-repository.ts';
import { InviteService } from '../identity/invite-service.ts';
import { WebhookService } from '../notify/webhook-service.ts';
import { EngagementTimers } from '../offboarding/engagement-timers.ts';
import { OffboardingService } from '../offboarding/offboarding-service.ts';
import { TokenService } from '../identity/token-service.ts';
import type { CompiledPolicy } from '../policy/policy-types.ts';
import { GrantService } from '../requests/grant-service.ts';
import { LiveEnforcement } from '../requests/live-enforcement.ts';
import { loadActiveGrants } from '../requests/request-rows.ts';
import { RequestService } from '../requests/request-service.ts';
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
  /** Domain events (requests, grants, offboarding, ...), announced after they are committed and audited. */
  readonly events: EventBus;
  /** Access requests and their approvals (`start()` arms expiry timers; the server calls it). */
  readonly requests: RequestService;
  readonly grants: GrantService;
  /** Offboarding in one step (by hand, at the engagement end, after a policy removal). */
  readonly offboarding: OffboardingService;
  /** Exact timers at each engagement end (`start()`; the server calls it). */
  readonly engagements: EngagementTimers;
  /** Outgoing webhooks: the durable queue and its worker (`start()`; the server calls it). */
  readonly webhooks: WebhookService;
  /** "Something changed" notices for live console views (sessions, requests, grants, contractors). */
  readonly feed: ConsoleFeed;
}

export function buildControlPlane(deps: { store: Store; clock: Clock; logger: Logger; sessionPollMs?: number }): ControlPlane {
  const { store, clock, logger } = deps;
  const audit = new AuditLog({ store, clock, logger });
  const events = new EventBus({ onError: (error, event) => logger.error({ err: error, event: event.type }, 'event listener failed') });
  // Tokens and invites read the policy in force; the closure runs only once `policy` exists.
  const currentPolicy = (): CompiledPolicy | null => policy.current()?.compiled ?? null;
  const contractors = new ContractorRepository({ store });
  const tokens = new TokenService({ store, audit, clock, policy: currentPolicy, contractors });
  const invites = new InviteService({ store, audit, clock, policy: currentPolicy, tokens, contractors });
  const policy = new PolicyControl({ store, audit, clock, contractors, tokens, logger });
  // After every rebuild of the index, live sessions are re-judged against it (the closure runs only once `enforcement` exists).
  const access = new AccessState({
    policy,
    contractors,
    clock,
    logger,
    grants: (now) => loadActiveGrants(store.db, now),
    afterRefresh: async (): Promise<void> => {
      await enforcement.enforce();
    },
  });
  const sessions = new SessionRegistry({ store, audit, clock, logger, ...(deps.sessionPollMs === undefined ? {} : { pollMs: deps.sessionPollMs }) });
  const enforcement: LiveEnforcement = new LiveEnforcement({ sessions, access, store, clock });
  const requestDeps = { store, audit, clock, events, policy: currentPolicy, contractors, access, logger };
  const grants = new GrantService(requestDeps);
  const requests = new RequestService({ ...requestDeps, grants });
  const offboarding = new OffboardingService({ store, audit, clock, logger, contractors, sessions, policy: currentPolicy, access, events });
  const engagements = new EngagementTimers({ store, clock, logger, offboarding, access });
  const webhooks = new WebhookService({ store, clock, logger, audit, events, webhooks: () => currentPolicy()?.webhooks ?? [] });
  // A policy apply removes contractors inside its transaction; the rest of their offboarding follows its commit.
  policy.afterApply(async (applied) => {
    // Started together: each ends its local sessions synchronously, before the index rebuild gets a turn.
    const completions = applied.removed.map((removed) =>
      offboarding
        .completeRemoval({ record: removed.record, by: applied.actor, digest: applied.digest, previous: applied.previous, tokensRevoked: removed.tokensRevoked })
        .catch((error: unknown) => logger.error({ err: error, contractor: removed.record.email }, 'offboarding after a policy removal failed')),
    );
    await Promise.all(completions);
    events.emit({ type: 'policy.applied', at: applied.appliedAt, digest: applied.digest, by: applied.actor, changes: applied.plan.changes.map((change) => change.text) });
  });
  sessions.onKill((kill) => events.emit({ type: 'session.killed', ...kill }));
  const feed = new ConsoleFeed({ onError: (error) => logger.error({ err: error }, 'console feed listener failed') });
  feed.connect({ events, sessions });
  return { store, clock, audit, contractors, tokens, invites, policy, access, sessions, events, requests, grants, offboarding, engagements, webhooks, feed };
}
