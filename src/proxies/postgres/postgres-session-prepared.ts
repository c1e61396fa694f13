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
 *
 * One case is certain, though: a proposal made since the last Sync. After an
 * error the server skips every message up to the next Sync, so a Bind that
 * follows a Parse of the same name in one segment runs only if that Parse
 * succeeded, and then binds exactly what it parsed (node-postgres sends
 * Parse, Bind, Execute, Sync together for every unnamed query). The lookup
 * returns that proposal alone, so the statement is judged — and recorded — as
 * what really runs, not as an earlier, more privileged meaning of the name.
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
  /** The Sync-delimited segment of the client's messages the proposal was made in. */
  readonly segment: number;
}

export class NameTracker<T extends Classified> {
  readonly #committed = new Map<string, T>();
  readonly #pending = new Map<string, PendingEntry<T>[]>();
  #segment = 0;

  /** Confirmed names, for tests and limits. */
  get size(): number {
    return this.#committed.size;
  }

  /** Records that `name` may soon mean `value`; settle the handle when the upstream answers. */
  propose(name: string, value: T): PendingName {
    const handle: PendingName = { name, settled: false };
    const entry = { handle, value, segment: this.#segment };
    const list = this.#pending.get(name);
    if (list === undefined) this.#pending.set(name, [entry]);
    else list.push(entry);
    return handle;
  }

  /** The client's Sync was forwarded (outside COPY): proposals made before it are no longer certain. */
  endSegment(): void {
    this.#segment += 1;
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
    const pending = this.#pending.get(name) ?? [];
    const newest = pending.at(-1);
    if (newest !== undefined && newest.segment === this.#segment) return newest.value;
    let best = this.#committed.get(name);
    for (const { value } of pending) {
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
