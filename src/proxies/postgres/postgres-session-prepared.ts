import { CLASS_RANK, type StatementClass } from '../../sql/sql-types.ts';

/**
 * What a session's prepared statement and portal names refer to, so a
 * statement prepared earlier can be judged again each time it runs.
 *
 * The upstream's view is known only from its answers: a Parse or PREPARE may
 * fail (the name is taken, a table is missing) and a Close may be skipped
 * after an error. So a name takes its new meaning only when the upstream
 * confirms it (ParseComplete, BindComplete, CommandComplete); until then the
 * proposal is pending, and a lookup returns the most privileged of the
 * confirmed and pending meanings. A client can therefore never make the
 * gateway believe a name means less than what the server would run.
 */
export interface Classified {
  readonly class: StatementClass;
}

export interface PendingName {
  readonly name: string;
  /** Settled: committed or abandoned. */
  settled: boolean;
}

interface PendingEntry<T> {
  readonly handle: PendingName;
  readonly value: T;
}

export class NameTracker<T extends Classified> {
  readonly #committed = new Map<string, T>();
  readonly #pending = new Map<string, PendingEntry<T>[]>();

  /** Confirmed names, for tests and limits. */
  get size(): number {
    return this.#committed.size;
  }

  /** Records that `name` may soon mean `value`; settle the handle when the upstream answers. */
  propose(name: string, value: T): PendingName {
    const handle: PendingName = { name, settled: false };
    const list = this.#pending.get(name);
    if (list === undefined) this.#pending.set(name, [{ handle, value }]);
    else list.push({ handle, value });
    return handle;
  }

  /** The upstream confirmed the proposal: the name now means its value. */
  commit(handle: PendingName): void {
    const entry = this.#settle(handle);
    if (entry !== undefined) this.#committed.set(handle.name, entry.value);
  }

  /** The upstream refused or skipped the proposal: the name keeps its meaning. */
  abandon(handle: PendingName): void {
    this.#settle(handle);
  }

  /** The upstream confirmed the name is gone (CloseComplete, DEALLOCATE). */
  remove(name: string): void {
    this.#committed.delete(name);
  }

  /** The upstream confirmed every name is gone (DEALLOCATE ALL, DISCARD ALL, end of transaction for portals). */
  clear(): void {
    this.#committed.clear();
  }

  /** The most privileged meaning the name may have on the upstream now, or undefined when it has none. */
  lookup(name: string): T | undefined {
    let best = this.#committed.get(name);
    for (const { value } of this.#pending.get(name) ?? []) {
      // Ties go to the newest proposal: it is what the client means to run.
      if (best === undefined || CLASS_RANK[value.class] >= CLASS_RANK[best.class]) best = value;
    }
    return best;
  }

  #settle(handle: PendingName): PendingEntry<T> | undefined {
    if (handle.settled) return undefined;
    handle.settled = true;
    const list = this.#pending.get(handle.name);
    if (list === undefined) return undefined;
    const index = list.findIndex((entry) => entry.handle === handle);
    if (index < 0) return undefined;
    const [entry] = list.splice(index, 1);
    if (list.length === 0) this.#pending.delete(handle.name);
    return entry;
  }
}
