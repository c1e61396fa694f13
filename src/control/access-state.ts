import type { Logger } from 'pino';
import { buildAccessIndex, type AccessIndex } from '../access/access-index.ts';
import type { Action, GrantInfo } from '../access/access-model.ts';
import { decide, type AccessIdentity } from '../access/decide.ts';
import type { Decision } from '../access/decision.ts';
import { decideStatement, type StatementShape } from '../access/statement-access.ts';
import type { ContractorRepository } from '../identity/contractor-repository.ts';
import type { ResourceSpec } from '../policy/policy-types.ts';
import type { Clock } from '../time/clock.ts';
import type { PolicyControl } from './policy-control.ts';

/**
 * The compiled access index in force on this node, rebuilt whenever the policy
 * or the contractors change, so every decision is a few map lookups.
 */
export class AccessState {
  readonly #policy: PolicyControl;
  readonly #contractors: ContractorRepository;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #listeners = new Set<() => void>();
  readonly #grants: (now: number) => Promise<readonly GrantInfo[]>;
  readonly #afterRefresh: () => Promise<void>;
  #index: AccessIndex = buildAccessIndex({ resources: [], roles: [], contractors: [], grants: [] });
  #resources = new Map<string, ResourceSpec>();
  #refreshing: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(deps: {
    policy: PolicyControl;
    contractors: ContractorRepository;
    clock: Clock;
    logger: Logger;
    /** Grants in force at `now` (not revoked, not yet expired); none when not given. */
    grants?: (now: number) => Promise<readonly GrantInfo[]>;
    /** Runs after every rebuild, before refresh() resolves: live sessions are re-judged against the new index. */
    afterRefresh?: () => Promise<void>;
  }) {
    this.#policy = deps.policy;
    this.#contractors = deps.contractors;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#grants = deps.grants ?? (() => Promise.resolve([]));
    this.#afterRefresh = deps.afterRefresh ?? (() => Promise.resolve());
    deps.policy.onChange(() => void this.refresh().catch((error: unknown) => this.#logger.error({ err: error }, 'access index refresh failed')));
  }

  index(): AccessIndex {
    return this.#index;
  }

  resource(name: string): ResourceSpec | undefined {
    return this.#resources.get(name);
  }

  decide(identity: AccessIdentity, resource: string, action: Action): Decision {
    return decide(this.#index, identity, resource, action, this.#clock.now());
  }

  /** The decision for one classified statement: decide, then guardrails and table scope. */
  decideStatement(identity: AccessIdentity, resource: string, action: Action, statement: StatementShape): Decision {
    return decideStatement(this.#index, identity, resource, action, statement, this.#clock.now());
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Rebuilds from the store. Resolves once a rebuild that started after this
   * call has finished, so a caller that just changed a grant sees it: calls
   * during a rebuild share one more rebuild after it, never the one in flight.
   */
  refresh(): Promise<void> {
    if (this.#refreshing === null) {
      this.#refreshing = this.#rebuild().finally(() => {
        this.#refreshing = null;
      });
      return this.#refreshing;
    }
    this.#next ??= this.#refreshing
      .catch(() => undefined)
      .then(() => {
        this.#next = null;
        return this.refresh();
      });
    return this.#next;
  }

  async #rebuild(): Promise<void> {
    const compiled = this.#policy.current()?.compiled;
    const contractors = await this.#contractors.list();
    const grants = await this.#grants(this.#clock.now());
    this.#index = buildAccessIndex({
      resources: compiled?.resources ?? [],
      roles: compiled?.roles ?? [],
      contractors: contractors.map((c) => ({ email: c.email, roles: c.roles, untilAt: c.untilAt, status: c.status })),
      grants,
      guardrails: compiled?.guardrails ?? [],
      ...(compiled?.settings.maskingHashKeyEnv === undefined ? {} : { maskingHashKeyEnv: compiled.settings.maskingHashKeyEnv }),
    });
    this.#resources = new Map((compiled?.resources ?? []).map((r) => [r.name, r]));
    for (const listener of this.#listeners) listener();
    await this.#afterRefresh().catch((error: unknown) => this.#logger.error({ err: error }, 'live session enforcement failed'));
  }
}
