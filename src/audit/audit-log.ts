import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { StintError } from '../errors/stint-error.ts';
import type { Database } from '../store/database-schema.ts';
import type { Store, StoreEngine } from '../store/store.ts';
import { GENESIS_HASH } from '../store/store.ts';
import type { Clock } from '../time/clock.ts';
import { chainBody, hashChainBody } from './audit-chain.ts';
import type { AuditEvent, AuditEventInput, AuditSink } from './audit-event.ts';
import { prepareAuditInput, type PreparedEvent } from './audit-input.ts';
import type { AuditSearchTables } from './audit-row.ts';

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

/** Rows per INSERT statement: well under both engines' bound-parameter limits (12 per row). */
const ROWS_PER_INSERT = 500;
// Bounds how long one SQLite commit blocks the event loop (~10 ms at 256) while still amortising the fsync.
const DEFAULT_MAX_BATCH = 256;

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
  readonly #listeners = new Set<AuditCommitListener>();
  #queue: Pending[] = [];
  #scheduled = false;
  #writing = false;
  #closed = false;
  #idle: (() => void)[] = [];
  #head: AuditHead = { seq: 0, hash: GENESIS_HASH };

  constructor(options: AuditLogOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#maxBatch = Math.max(1, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH));
    if (options.onCommit !== undefined) this.#listeners.add(options.onCommit);
  }

  /** Resolves once the event is committed (durably); rejects if it could not be, and the caller must fail closed. */
  append(input: AuditEventInput): Promise<AuditEvent> {
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
      this.#schedule();
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
      const [written] = await writeBatch(trx, this.#store.engine, [event]);
      return written as AuditEvent;
    } catch (cause) {
      this.#logger?.error({ err: cause, store: this.#store.location }, 'audit event failed to write within a transaction');
      throw new StintError('STINT_ERR_AUDIT_UNAVAILABLE', `The audit log could not be written: ${cause instanceof Error ? cause.message : String(cause)}`, [], { cause });
    }
  }

  /** Waits until everything appended so far is committed or has failed. */
  flush(): Promise<void> {
    if (!this.#writing && !this.#scheduled && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new appends and waits for the queued ones. The store stays open: it belongs to the caller. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
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

  #schedule(): void {
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

  /** Writes one batch in one transaction; settles every promise in it. Never throws. */
  async #commit(batch: readonly Pending[]): Promise<void> {
    let events: AuditEvent[];
    try {
      events = await this.#store.db.transaction().execute((trx) => writeBatch(trx, this.#store.engine, batch.map((p) => p.event)));
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

async function writeBatch(trx: Transaction<Database>, engine: StoreEngine, batch: readonly PreparedEvent[]): Promise<AuditEvent[]> {
  const head = await lockHead(trx, engine);
  let seq = head.seq;
  let prevHash = head.hash;
  const events: AuditEvent[] = [];
  for (const event of batch) {
    seq += 1;
    const fields = { seq, ts: event.ts, code: event.code, outcome: event.outcome, actor: event.actor, resource: event.resource, subject: event.subject, summary: event.summary };
    const hash = hashChainBody(prevHash, chainBody(fields, event.dataJson));
    events.push({ ...fields, data: event.data, prevHash, hash });
    prevHash = hash;
  }

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
    if (engine === 'postgres') {
      // The tsvector is written from the same normalised body SQLite's FTS gets, so both engines match alike.
      const withSearch = rows.map((row, i) => ({ ...row, search: sql<string>`to_tsvector('simple', ${(slice[i] as PreparedEvent).searchBody})` }));
      await trx.withTables<AuditSearchTables>().insertInto('audit_events').values(withSearch).execute();
    } else {
      await trx.insertInto('audit_events').values(rows).execute();
      const fts = rows.map((row, i) => ({ rowid: row.seq, body: (slice[i] as PreparedEvent).searchBody }));
      await trx.withTables<AuditSearchTables>().insertInto('audit_fts').values(fts).execute();
    }
  }

  await trx.updateTable('audit_head').set({ seq, hash: prevHash }).where('id', '=', 1).execute();
  return events;
}

/**
 * Takes the head row for the length of the transaction. PostgreSQL: a row
 * lock, so concurrent nodes queue behind each other. SQLite: a no-op write,
 * which takes the database's write lock at once instead of upgrading later
 * (an upgrade from a read lock is what produces SQLITE_BUSY deadlocks).
 */
async function lockHead(trx: Transaction<Database>, engine: StoreEngine): Promise<{ seq: number; hash: string }> {
  if (engine === 'sqlite') await trx.updateTable('audit_head').set((eb) => ({ seq: eb.ref('seq') })).where('id', '=', 1).execute();
  let query = trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
  if (engine === 'postgres') query = query.forUpdate();
  const head = await query.executeTakeFirst();
  if (head === undefined) throw new Error('the audit_head row is missing');
  return head;
}
