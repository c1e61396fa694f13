import type { SessionLifecycle } from '../sessions/session-registry.ts';
import type { EventBus } from './event-bus.ts';

/**
 * The live feed the web console listens to (`GET /v1/events`). It carries
 * only "something changed" notices — type, instant and who/what it concerns —
 * so a viewer refetches through the normal role-checked endpoints; nothing
 * here is a second, unchecked path to data.
 */
export const CONSOLE_EVENT_TYPES = [
  'session.started',
  'session.ended',
  'request.created',
  'request.decided',
  'grant.created',
  'grant.ended',
  'contractor.changed',
] as const;

export type ConsoleEventType = (typeof CONSOLE_EVENT_TYPES)[number];

export interface ConsoleEvent {
  readonly type: ConsoleEventType;
  /** ISO-8601 UTC. */
  readonly at: string;
  /** The session, request, grant id; absent for contractor changes. */
  readonly id?: string;
  /** The contractor the change is about; contractors receive only events carrying their own email. */
  readonly email?: string;
  readonly resource?: string;
}

export type ConsoleListener = (event: ConsoleEvent) => void;

/** What the feed listens to: the domain event bus and this node's session registry. */
export interface ConsoleFeedSources {
  readonly events: Pick<EventBus, 'on'>;
  readonly sessions: { onLifecycle(listener: (change: SessionLifecycle) => void): () => void };
}

function event(type: ConsoleEventType, at: number, fields: { id?: string; email?: string; resource?: string }): ConsoleEvent {
  return { type, at: new Date(at).toISOString(), ...fields };
}

/** How long a notice published on this node suppresses the same notice read back from the audit log. */
export const RECORD_ECHO_MS = 5000;

function echoKey(change: ConsoleEvent): string {
  return `${change.type}|${change.id ?? ''}|${change.email ?? ''}`;
}

export class ConsoleFeed {
  readonly #listeners = new Set<ConsoleListener>();
  readonly #onError: (error: unknown) => void;
  /** Notices published here lately (key → wall-clock ms), so the audit tail does not repeat them. */
  readonly #published = new Map<string, number>();

  constructor(options: { onError?: (error: unknown) => void } = {}) {
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: ConsoleListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Tells every subscriber; a subscriber that throws never reaches the publisher (the change already happened). */
  publish(change: ConsoleEvent): void {
    const now = Date.now();
    for (const [key, at] of this.#published) if (now - at > RECORD_ECHO_MS) this.#published.delete(key);
    this.#published.set(echoKey(change), now);
    this.#deliver(change);
  }

  /**
   * A notice read back from the audit log (changes on any node). One this node
   * announced moments ago is dropped once; a repeat costs a viewer only a refetch.
   */
  publishFromRecord(change: ConsoleEvent): void {
    const key = echoKey(change);
    const at = this.#published.get(key);
    if (at !== undefined && Date.now() - at <= RECORD_ECHO_MS) {
      this.#published.delete(key);
      return;
    }
    this.#deliver(change);
  }

  #deliver(change: ConsoleEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  /**
   * Maps domain events and session lifecycle changes onto console events.
   * Returns a function that detaches every subscription.
   */
  connect(sources: ConsoleFeedSources): () => void {
    const { events } = sources;
    const detach = [
      sources.sessions.onLifecycle((change) =>
        this.publish(event(change.type === 'started' ? 'session.started' : 'session.ended', change.at, { id: change.session, email: change.contractor, resource: change.resource })),
      ),
      // A kill is announced at once; the session.ended that follows comes from the node holding the session.
      events.on('session.killed', (e) => this.publish(event('session.ended', e.at, { id: e.session, email: e.contractor, resource: e.resource }))),
      events.on('request.created', (e) => this.publish(event('request.created', e.at, { id: e.request.id, email: e.request.requester, resource: e.request.resource }))),
      events.on('request.approved', (e) => {
        this.publish(event('request.decided', e.at, { id: e.request.id, email: e.request.requester, resource: e.request.resource }));
        this.publish(event('grant.created', e.at, { id: e.grant.id, email: e.grant.email, resource: e.grant.resource }));
      }),
      events.on('request.denied', (e) => this.publish(event('request.decided', e.at, { id: e.request.id, email: e.request.requester, resource: e.request.resource }))),
      events.on('request.expired', (e) => this.publish(event('request.decided', e.at, { id: e.request.id, email: e.request.requester, resource: e.request.resource }))),
      events.on('grant.expired', (e) => this.publish(event('grant.ended', e.at, { id: e.grant.id, email: e.grant.email, resource: e.grant.resource }))),
      events.on('grant.revoked', (e) => this.publish(event('grant.ended', e.at, { id: e.grant.id, email: e.grant.email, resource: e.grant.resource }))),
      events.on('contractor.offboarded', (e) => this.publish(event('contractor.changed', e.at, { email: e.email }))),
      // A policy apply can add, change or remove any contractor: staff views refetch.
      events.on('policy.applied', (e) => this.publish(event('contractor.changed', e.at, {}))),
    ];
    return () => {
      for (const off of detach) off();
    };
  }
}

/** Whether a viewer may see an event: staff see all; a contractor only events about themself. */
export function visibleTo(change: ConsoleEvent, viewer: { readonly email: string; readonly staff: boolean }): boolean {
  if (viewer.staff) return true;
  return change.email !== undefined && change.email.toLowerCase() === viewer.email.toLowerCase();
}
