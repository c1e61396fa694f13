import type { Logger } from 'pino';
import type { AccessIndex } from '../access/access-index.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { scheduleAt, type ScheduledTimer } from '../time/timer-at.ts';
import type { OffboardingReport } from './offboarding-types.ts';

export interface EngagementTimersDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'error' | 'info'>;
  readonly offboarding: { endEngagement(email: string): Promise<OffboardingReport | null> };
  /** The access index in force and its change notifications: contractors and their ends come from it. */
  readonly access: { index(): AccessIndex; onChange(listener: () => void): () => void };
  /** Wait before trying again when an offboarding failed (store down). Default 30 s. */
  readonly retryMs?: number;
}

interface Armed {
  readonly at: number;
  readonly timer: ScheduledTimer;
}

/**
 * One exact timer per active contractor, at their engagement end, which
 * offboards them (cause `engagement_ended`) at that instant rather than at a
 * later sweep. Timers are re-armed whenever the access index changes (a
 * policy apply, an accepted invite, another node's change picked up by the
 * refresh), and `start` arms every active contractor from the store, so ends
 * that passed while no server ran fire at once.
 *
 * Every node runs these timers; when several fire together the offboarding's
 * conditional status change lets exactly one do the work.
 */
export class EngagementTimers {
  readonly #deps: EngagementTimersDeps;
  readonly #armed = new Map<string, Armed>();
  /** Emails whose offboarding is running now: never fired twice at once. */
  readonly #running = new Set<string>();
  readonly #retries = new Set<NodeJS.Timeout>();
  #unsubscribe: (() => void) | null = null;
  #stopped = false;

  constructor(deps: EngagementTimersDeps) {
    this.#deps = deps;
  }

  /** Arms a timer for every active contractor on record and follows changes from then on. */
  async start(): Promise<void> {
    this.#stopped = false;
    const rows = await this.#deps.store.db.selectFrom('contractors').select(['email', 'until_at']).where('status', '=', 'active').execute();
    for (const row of rows) this.#arm(row.email, row.until_at);
    this.#unsubscribe ??= this.#deps.access.onChange(() => this.sync());
  }

  /** Matches the timers to the contractors of the access index: new or moved ends re-armed, gone ones cancelled. */
  sync(): void {
    if (this.#stopped) return;
    const index = this.#deps.access.index();
    const wanted = new Map<string, number>();
    for (const email of index.subjectEmails()) {
      const contractor = index.subject(email)?.contractor;
      if (contractor?.status === 'active') wanted.set(email, contractor.untilAt);
    }
    for (const [email, armed] of this.#armed) {
      if (wanted.get(email) !== armed.at) {
        armed.timer.cancel();
        this.#armed.delete(email);
      }
    }
    for (const [email, at] of wanted) this.#arm(email, at);
  }

  /** The engagement ends currently armed, by email (for tests and diagnostics). */
  armed(): ReadonlyMap<string, number> {
    return new Map([...this.#armed].map(([email, armed]) => [email, armed.at]));
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    for (const armed of this.#armed.values()) armed.timer.cancel();
    this.#armed.clear();
    for (const retry of this.#retries) clearTimeout(retry);
    this.#retries.clear();
  }

  #arm(email: string, at: number): void {
    if (this.#stopped || this.#armed.get(email)?.at === at) return;
    this.#armed.get(email)?.timer.cancel();
    // scheduleAt fires synchronously for an end already past; record the entry first so #fire sees it.
    const entry: { at: number; timer: ScheduledTimer } = { at, timer: { cancel: () => undefined } };
    this.#armed.set(email, entry);
    entry.timer = scheduleAt(this.#deps.clock, at, () => this.#fire(email, at));
  }

  #fire(email: string, at: number): void {
    if (this.#armed.get(email)?.at === at) this.#armed.delete(email);
    if (this.#stopped || this.#running.has(email)) return;
    this.#running.add(email);
    this.#deps.offboarding
      .endEngagement(email)
      .then((report) => {
        if (report !== null && !report.alreadyOffboarded) this.#deps.logger.info({ contractor: email }, 'engagement ended: contractor offboarded');
      })
      .catch((error: unknown) => {
        this.#deps.logger.error({ err: error, contractor: email }, 'offboarding at the engagement end failed; retrying');
        const retry = setTimeout(() => {
          this.#retries.delete(retry);
          this.#fire(email, at);
        }, this.#deps.retryMs ?? 30_000);
        retry.unref();
        this.#retries.add(retry);
      })
      .finally(() => this.#running.delete(email));
  }
}
