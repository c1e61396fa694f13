import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { StintError } from '../errors/stint-error.ts';
import type { Database } from '../store/database-schema.ts';
import type { Store, StoreEngine } from '../store/store.ts';
import { GENESIS_HASH } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { chainBatch, headAfter } from './audit-chain-batch.ts';
import type { AppendOptions, AuditEvent, AuditEventInput, AuditSink } from './audit-event.ts';
import { prepareAuditInput, type PreparedEvent } from './audit-input.ts';
import { writePostgresBatch } from './audit-postgres-writer.ts';
import type { AuditSearchTables } from './audit-row.ts';
import { SqliteAuditPath } from './audit-sqlite-path.ts';

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** Told after every committed batch: the new head and how many events the batch held. */
export type AuditCommitListener = (commit: { readonly head: AuditHead; readonly count: number }) => void;

export interface AuditLogOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Pick<Logger, 'error'>;
  /** Most events written in one transaction; the rest wait for the next one. */
  readonly maxBatch?: number;
  /** Called after every committed batch (e.g. to trigger a checkpoint every N events). */
  readonly onCommit?: AuditCommitListener;
}

interface Pending {
  readonly event: PreparedEvent;
  readonly resolve: (event: AuditEvent) => void;
  readonly reject: (error: unknown) => void;
}

/** Rows per INSERT statement on the Kysely path: well under SQLite's bound-parameter limit (12 per row). */
const ROWS_PER_INSERT = 500;
/**
 * Most events per transaction. SQLite: bounds how long one commit blocks the
 * event loop (the prepared-statement writer takes a few µs per event, so a
 * full batch stays within the ~10 ms 256 events took through Kysely). PostgreSQL:
 * the commit does not block the loop and one statement carries any batch, so
 * bigger batches only amortise the round trips and the fsync further.
 */
const DEFAULT_MAX_BATCH: Readonly<Record<StoreEngine, number>> = { sqlite: 1024, postgres: 4096 };
/** Longest a `deferCommit` record waits for another append to start a commit. */
const DEFER_COMMIT_MS = 5;

/**
 * The append-only, hash-chained audit log, written with group commit.
 *
 * Every append issued in the same tick, and every append that arrives while a
 * commit is in flight, goes into one transaction: one fsync for many events,
 * which matters because better-sqlite3 blocks the event loop while it commits.
 * The chain head is read from (and locked in) the store inside each
 * transaction, never carried over in memory, so several server nodes sharing
 * one PostgreSQL store interleave into one chain.
 */
export class AuditLog implements AuditSink {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Pick<Logger, 'error'> | undefined;
  readonly #maxBatch: number;
  /** SQLite only: the prepared-statement write path, found on first use (the tables must exist by then). */
  #sqlitePath: SqliteAuditPath | null | undefined;
  readonly #listeners = new Set<AuditCommitListener>();
  #queue: Pending[] = [];
  #scheduled = false;
  #deferTimer: NodeJS.Timeout | null = null;
  #writing = false;
  #closed = false;
  #idle: (() => void)[] = [];
  #head: AuditHead = { seq: 0, hash: GENESIS_HASH };

  constructor(options: AuditLogOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#maxBatch = Math.max(1, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH[options.store.engine]));
    if (options.onCommit !== undefined) this.#listeners.add(options.onCommit);
  }

  /** Resolves once the event is committed (durably); rejects if it could not be, and the caller must fail closed. */
  append(input: AuditEventInput, options?: AppendOptions): Promise<AuditEvent> {
    if (this.#closed) {
      return Promise.reject(new StintError('STINT_ERR_AUDIT_UNAVAILABLE', 'The audit log is closed, so the action was refused.'));
    }
    let event: PreparedEvent;
    try {
      event = prepareAuditInput(input, this.#clock.now());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<AuditEvent>((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      if (options?.deferCommit === true) this.#scheduleDeferred();
      else this.#schedule();
    });
  }

  /**
   * Writes one event inside the caller's transaction, so a change and its
   * record commit together or not at all. It holds the chain head until that
   * transaction ends (other appends wait for it), and is durable only once the
   * caller commits. On SQLite the caller's transaction holds the only
   * connection: never await `append` inside it, or both wait forever.
   */
  async appendWithin(trx: Transaction<Database>, input: AuditEventInput): Promise<AuditEvent> {
    if (this.#closed) throw new StintError('STINT_ERR_AUDIT_UNAVAILABLE', 'The audit log is closed, so the action was refused.');
    const event = prepareAuditInput(input, this.#clock.now());
    try {
      const [written] = this.#store.engine === 'postgres' ? await writePostgresBatch(trx, [event]) : await writeBatch(trx, [event]);
      return written as AuditEvent;
    } catch (cause) {
      this.#logger?.error({ err: cause, store: this.#store.location }, 'audit event failed to write within a transaction');
      throw new StintError('STINT_ERR_AUDIT_UNAVAILABLE', `The audit log could not be written: ${cause instanceof Error ? cause.message : String(cause)}`, [], { cause });
    }
  }

  /** Waits until everything appended so far is committed or has failed. */
  flush(): Promise<void> {
    if (!this.#writing && !this.#scheduled && this.#queue.length === 0) return Promise.resolve();
    // Deferred records are not kept waiting by someone who wants them written.
    if (this.#queue.length > 0) this.#schedule();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new appends and waits for the queued ones (and their search rows). The store stays open: it belongs to the caller. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#sqlitePath?.flushSearch();
  }

  /** The head as of this node's last commit (other nodes may have appended since). */
  head(): AuditHead {
    return this.#head;
  }

  /** Subscribes to committed batches; returns the unsubscribe function. */
  onCommit(listener: AuditCommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #scheduleDeferred(): void {
    if (this.#scheduled || this.#writing || this.#deferTimer !== null) return;
    this.#deferTimer = setTimeout(() => {
      this.#deferTimer = null;
      this.#schedule();
    }, DEFER_COMMIT_MS);
  }

  #schedule(): void {
    if (this.#deferTimer !== null) {
      clearTimeout(this.#deferTimer);
      this.#deferTimer = null;
    }
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    // setImmediate (not a microtask) so appends made after awaits within the
    // same turn of the event loop still join the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        await this.#commit(batch);
      }
    } finally {
      this.#writing = false;
      const waiters = this.#idle;
      this.#idle = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** One batch, one transaction, by the fastest path the engine offers. */
  async #write(batch: readonly PreparedEvent[]): Promise<AuditEvent[]> {
    const { db, engine } = this.#store;
    if (engine === 'postgres') return db.transaction().execute((trx) => writePostgresBatch(trx, batch));
    if (this.#sqlitePath === undefined) this.#sqlitePath = SqliteAuditPath.of(db, this.#logger);
    const path = this.#sqlitePath;
    if (path === null) return db.transaction().execute((trx) => writeBatch(trx, batch));
    return path.write(batch);
  }

  /** Writes one batch in one transaction; settles every promise in it. Never throws. */
  async #commit(batch: readonly Pending[]): Promise<void> {
    let events: AuditEvent[];
    try {
      events = await this.#write(batch.map((p) => p.event));
    } catch (cause) {
      const error = new StintError(
        'STINT_ERR_AUDIT_UNAVAILABLE',
        `The audit log could not be written (${batch.length} event${batch.length === 1 ? '' : 's'} refused): ${cause instanceof Error ? cause.message : String(cause)}`,
        [],
        { cause },
      );
      this.#logger?.error({ err: cause, events: batch.length, store: this.#store.location }, 'audit batch failed to commit');
      for (const pending of batch) pending.reject(error);
      return;
    }
    const last = events[events.length - 1];
    if (last !== undefined) this.#head = { seq: last.seq, hash: last.hash };
    batch.forEach((pending, index) => pending.resolve(events[index] as AuditEvent));
    const commit = { head: this.#head, count: events.length };
    for (const listener of this.#listeners) {
      try {
        listener(commit);
      } catch (error) {
        this.#logger?.error({ err: error }, 'audit commit listener failed');
      }
    }
  }
}

/**
 * SQLite inside a caller's Kysely transaction (`appendWithin`), or a SQLite
 * store whose raw handle is unknown: the same rows through Kysely.
 */
async function writeBatch(trx: Transaction<Database>, batch: readonly PreparedEvent[]): Promise<AuditEvent[]> {
  const head = await lockHead(trx);
  const events = chainBatch(head, batch);

  for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
    const slice = batch.slice(start, start + ROWS_PER_INSERT);
    const rows = events.slice(start, start + ROWS_PER_INSERT).map((e, i) => ({
      seq: e.seq,
      ts: e.ts,
      code: e.code,
      outcome: e.outcome,
      actor: e.actor,
      resource: e.resource,
      subject: e.subject,
      summary: e.summary,
      data: (slice[i] as PreparedEvent).dataJson,
      prev_hash: e.prevHash,
      hash: e.hash,
    }));
    await trx.insertInto('audit_events').values(rows).execute();
    const fts = rows.map((row, i) => ({ rowid: row.seq, body: (slice[i] as PreparedEvent).searchBody }));
    await trx.withTables<AuditSearchTables>().insertInto('audit_fts').values(fts).execute();
  }

  const { seq, hash } = headAfter(head, events);
  await trx.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
  return events;
}

/**
 * Takes the head row for the length of the transaction: a no-op write, which
 * takes SQLite's write lock at once instead of upgrading later (an upgrade
 * from a read lock is what produces SQLITE_BUSY deadlocks).
 */
async function lockHead(trx: Transaction<Database>): Promise<{ seq: number; hash: string }> {
  await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).execute();
  const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  if (head === undefined) throw new Error('the audit_head row is missing');
  return head;
}
