import type { Clock } from '../time/clock.ts';
import type { Store } from './store.ts';

/**
 * The store's access change count (migration 005): it moves whenever a
 * contractor, grant or policy version is written, on any node. Read it before
 * rebuilding from the store; a later read with the same value means nothing
 * the rebuild read has changed since.
 */
export async function readAccessChanges(store: Pick<Store, 'db'>): Promise<number> {
  const row = await store.db.selectFrom('access_changes').select('n').where('id', '=', 1).executeTakeFirst();
  if (row === undefined) throw new Error('the access_changes row is missing');
  return Number(row.n);
}

export interface GatedRefreshOptions {
  readonly store: Pick<Store, 'db'>;
  readonly clock: Clock;
  /** Rebuilds whatever is built from the access tables (the policy in force, the access index). */
  readonly refresh: () => Promise<void>;
  /** Rebuild at least this often even when the count has not moved (a change made behind the triggers' back). */
  readonly fullEveryMs: number;
}

/**
 * A periodic refresh that skips the rebuild when the access change count has
 * not moved since the last one. `rebuild()` always rebuilds (the first time,
 * or after a local change); `tick()` rebuilds only when needed and says so.
 * The count is read before rebuilding, so a change committed during a rebuild
 * moves it again and the next tick picks it up.
 */
export class GatedRefresh {
  readonly #options: GatedRefreshOptions;
  #seen: number | null = null;
  #lastRebuild = Number.NEGATIVE_INFINITY;

  constructor(options: GatedRefreshOptions) {
    this.#options = options;
  }

  async rebuild(): Promise<void> {
    const changes = await readAccessChanges(this.#options.store);
    await this.#options.refresh();
    this.#seen = changes;
    this.#lastRebuild = this.#options.clock.now();
  }

  /** Rebuilds when the count moved or the full interval passed; resolves true when it rebuilt. */
  async tick(): Promise<boolean> {
    const changes = await readAccessChanges(this.#options.store);
    if (changes === this.#seen && this.#options.clock.now() - this.#lastRebuild < this.#options.fullEveryMs) return false;
    await this.#options.refresh();
    this.#seen = changes;
    this.#lastRebuild = this.#options.clock.now();
    return true;
  }
}
