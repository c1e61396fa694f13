import type { AccessIndex } from '../access/access-index.ts';
import { ACTIONS } from '../access/access-model.ts';
import { decide } from '../access/decide.ts';
import type { Decision } from '../access/decision.ts';
import type { SessionEndReason, SessionStart } from '../sessions/session-types.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';

const ID_BATCH = 500;

/** What enforcement needs of a live session (LiveSession fits). */
export interface EnforcedSession {
  readonly id: string;
  readonly start: SessionStart;
  readonly startedAt: number;
  readonly ending: boolean;
  setExpiry(expiresAt: number | null): void;
  end(reason: SessionEndReason, message: string): void;
}

/**
 * Re-judges every live session on this node after the access index changes
 * (a grant approved, revoked or expired; a policy apply; a contractor
 * removed). A session whose holder can do nothing on its resource any more
 * ends now; any other gets its expiry moved to the latest instant one of its
 * allowed actions lasts, so it is cut exactly when its last access ends. Rights
 * gained or lost on single actions need nothing here: the gateway decides
 * every statement against the index as it is at that moment.
 */
export class LiveEnforcement {
  readonly #sessions: { live(): readonly EnforcedSession[] };
  readonly #access: { index(): AccessIndex };
  readonly #store: Store;
  readonly #clock: Clock;
  /** Token expiries by token id; they never change, so each is read once. */
  readonly #tokenExpiry = new Map<string, number | null>();

  constructor(deps: { sessions: { live(): readonly EnforcedSession[] }; access: { index(): AccessIndex }; store: Store; clock: Clock }) {
    this.#sessions = deps.sessions;
    this.#access = deps.access;
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  async enforce(): Promise<{ readonly ended: number; readonly kept: number }> {
    const sessions = this.#sessions.live().filter((session) => !session.ending);
    await this.#loadTokenExpiries(sessions);
    const index = this.#access.index();
    const now = this.#clock.now();
    let ended = 0;
    for (const session of sessions) {
      const identity = { email: session.start.contractor, tokenExpiresAt: this.#tokenExpiry.get(session.start.tokenId) ?? null, sessionStartedAt: session.startedAt };
      let latest: number | null = null;
      let first: Decision | null = null;
      for (const action of ACTIONS) {
        const decision = decide(index, identity, session.start.resource, action, now);
        first ??= decision;
        if (decision.allow && decision.expiresAt !== null && (latest === null || decision.expiresAt > latest)) latest = decision.expiresAt;
      }
      if (latest === null) {
        session.end('access_lost', `Stint ended this session: you no longer have any access to ${session.start.resource} (${first?.message ?? 'access withdrawn'})`);
        ended += 1;
      } else {
        session.setExpiry(latest);
      }
    }
    return { ended, kept: sessions.length - ended };
  }

  async #loadTokenExpiries(sessions: readonly EnforcedSession[]): Promise<void> {
    const live = new Set(sessions.map((session) => session.start.tokenId));
    for (const id of this.#tokenExpiry.keys()) if (!live.has(id)) this.#tokenExpiry.delete(id);
    const missing = [...live].filter((id) => !this.#tokenExpiry.has(id));
    for (let i = 0; i < missing.length; i += ID_BATCH) {
      const batch = missing.slice(i, i + ID_BATCH);
      const rows = await this.#store.db.selectFrom('tokens').select(['id', 'expires_at']).where('id', 'in', batch).execute();
      const found = new Map(rows.map((row) => [row.id, row.expires_at]));
      // A token that is not on record bounds nothing here; the registry's revocation poll deals with it.
      for (const id of batch) this.#tokenExpiry.set(id, found.get(id) ?? null);
    }
  }
}
