import type { Action } from '../access/access-model.ts';

/**
 * Domain events, announced in-process after the change they describe is
 * committed and audited. The audit log stays the record; events exist so other
 * parts (notifications, live enforcement) can react without the emitter
 * knowing about them.
 */

/** A request as events carry it. */
export interface RequestEventView {
  readonly id: string;
  readonly requester: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  /** Tables the requester named (informational); empty = none named. */
  readonly tables: readonly string[];
  readonly durationMs: number;
  readonly reason: string | null;
  readonly createdAt: number;
  /** When a pending request lapses. */
  readonly expiresAt: number;
}

/** A grant as events carry it. */
export interface GrantEventView {
  readonly id: string;
  readonly email: string;
  readonly resource: string;
  readonly actions: readonly Action[];
  readonly tables: readonly string[];
  readonly requestId: string | null;
  readonly startsAt: number;
  readonly expiresAt: number;
}

export interface RequestCreatedEvent {
  readonly type: 'request.created';
  readonly at: number;
  readonly request: RequestEventView;
  /** Who may approve it (emails after expanding groups). */
  readonly approvers: readonly string[];
}

export interface RequestApprovedEvent {
  readonly type: 'request.approved';
  readonly at: number;
  readonly request: RequestEventView;
  /** Everyone whose approval counted, in order. */
  readonly approvedBy: readonly string[];
  readonly grant: GrantEventView;
}

export interface RequestDeniedEvent {
  readonly type: 'request.denied';
  readonly at: number;
  readonly request: RequestEventView;
  readonly by: string;
  readonly reason: string;
}

export interface RequestExpiredEvent {
  readonly type: 'request.expired';
  readonly at: number;
  readonly request: RequestEventView;
}

export interface GrantExpiredEvent {
  readonly type: 'grant.expired';
  readonly at: number;
  readonly grant: GrantEventView;
}

export interface GrantRevokedEvent {
  readonly type: 'grant.revoked';
  readonly at: number;
  readonly grant: GrantEventView;
  readonly by: string;
  readonly reason: string;
}

export interface ContractorOffboardedEvent {
  readonly type: 'contractor.offboarded';
  readonly at: number;
  readonly email: string;
  readonly by: string;
  readonly reason: string;
  /** manual, engagement_ended or policy_removed. */
  readonly cause: 'manual' | 'engagement_ended' | 'policy_removed';
}

export interface SessionKilledEvent {
  readonly type: 'session.killed';
  readonly at: number;
  readonly session: string;
  readonly contractor: string;
  readonly resource: string;
  readonly by: string;
  readonly reason: string;
}

export interface PolicyAppliedEvent {
  readonly type: 'policy.applied';
  readonly at: number;
  readonly digest: string;
  readonly by: string;
  /** The plan in plain words, one line per change. */
  readonly changes: readonly string[];
}

export type DomainEvent =
  | RequestCreatedEvent
  | RequestApprovedEvent
  | RequestDeniedEvent
  | RequestExpiredEvent
  | GrantExpiredEvent
  | GrantRevokedEvent
  | ContractorOffboardedEvent
  | SessionKilledEvent
  | PolicyAppliedEvent;

export type DomainEventType = DomainEvent['type'];

export const DOMAIN_EVENT_TYPES = [
  'request.created',
  'request.approved',
  'request.denied',
  'request.expired',
  'grant.expired',
  'grant.revoked',
  'contractor.offboarded',
  'session.killed',
  'policy.applied',
] as const satisfies readonly DomainEventType[];

export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

export type EventListener<T extends DomainEventType> = (event: DomainEventOf<T>) => void | Promise<void>;

/**
 * A tiny typed bus. Listeners run in subscription order; a listener that
 * throws or rejects is reported to `onError` and never reaches the emitter,
 * because the change the event describes has already happened and a failing
 * subscriber must not turn it into an error for the person who made it.
 */
export class EventBus {
  readonly #listeners = new Map<DomainEventType, Set<(event: DomainEvent) => void | Promise<void>>>();
  readonly #onError: (error: unknown, event: DomainEvent) => void;

  constructor(options: { onError?: (error: unknown, event: DomainEvent) => void } = {}) {
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Subscribes to one event type; returns a function that unsubscribes. */
  on<T extends DomainEventType>(type: T, listener: EventListener<T>): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    // The map is keyed by type, so only events of type T ever reach this listener.
    const untyped = listener as (event: DomainEvent) => void | Promise<void>;
    set.add(untyped);
    return () => {
      set.delete(untyped);
    };
  }

  emit(event: DomainEvent): void {
    for (const listener of [...(this.#listeners.get(event.type) ?? [])]) {
      try {
        const result = listener(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.#onError(error, event));
      } catch (error) {
        this.#onError(error, event);
      }
    }
  }

  listenerCount(type: DomainEventType): number {
    return this.#listeners.get(type)?.size ?? 0;
  }
}
