import type { Clock } from '../time/clock.ts';
import { isoString } from '../time/instant.ts';
import { scheduleAt, type ScheduledTimer } from '../time/timer-at.ts';
import type { SessionEndReason, SessionStart, SessionTerminator, SessionView } from './session-types.ts';

/**
 * One live session as the registry holds it: counters, and an exact expiry
 * timer that terminates the session at the instant its access ends.
 */
export class LiveSession {
  readonly id: string;
  readonly node: string;
  readonly start: SessionStart;
  readonly startedAt: number;
  readonly #clock: Clock;
  readonly #terminator: SessionTerminator;
  readonly #onFinish: (session: LiveSession, reason: SessionEndReason) => Promise<void>;
  #expiresAt: number | null;
  #timer: ScheduledTimer | null = null;
  #finished: Promise<void> | null = null;
  #ending = false;
  bytesIn = 0;
  bytesOut = 0;
  statements = 0;

  constructor(args: {
    id: string;
    node: string;
    start: SessionStart;
    clock: Clock;
    terminator: SessionTerminator;
    onFinish: (session: LiveSession, reason: SessionEndReason) => Promise<void>;
  }) {
    this.id = args.id;
    this.node = args.node;
    this.start = args.start;
    this.#clock = args.clock;
    this.startedAt = args.clock.now();
    this.#terminator = args.terminator;
    this.#onFinish = args.onFinish;
    this.#expiresAt = null;
    this.setExpiry(args.start.expiresAt);
  }

  get expiresAt(): number | null {
    return this.#expiresAt;
  }

  get ending(): boolean {
    return this.#ending;
  }

  /** Re-arms the expiry (a later decision may bring it forward, or an approved grant push it back). */
  setExpiry(expiresAt: number | null): void {
    if (expiresAt === this.#expiresAt && this.#timer !== null) return;
    this.#expiresAt = expiresAt;
    this.#timer?.cancel();
    this.#timer =
      expiresAt === null
        ? null
        : scheduleAt(this.#clock, expiresAt, () =>
            this.end('expired', `Your access to ${this.start.resource} ended at ${isoString(expiresAt)}; the session was closed.`),
          );
  }

  /** Ends the session now, for the given reason: the protocol tells the client, then calls finish(). */
  end(reason: SessionEndReason, message: string): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#timer?.cancel();
    this.#terminator.terminate(reason, message);
  }

  /** Called by the protocol once both sides are closed; records the end exactly once. */
  finish(reason: SessionEndReason): Promise<void> {
    this.#ending = true;
    this.#timer?.cancel();
    this.#finished ??= this.#onFinish(this, reason);
    return this.#finished;
  }

  view(): SessionView {
    return {
      id: this.id,
      node: this.node,
      protocol: this.start.protocol,
      contractor: this.start.contractor,
      resource: this.start.resource,
      clientAddress: this.start.clientAddress,
      tls: this.start.tls,
      startedAt: this.startedAt,
      expiresAt: this.#expiresAt,
      endedAt: null,
      endReason: null,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      statements: this.statements,
    };
  }
}
