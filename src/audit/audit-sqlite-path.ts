import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/database-schema.ts';
import { sqliteHandleOf } from '../store/sqlite/sqlite-handle.ts';
import type { AuditEvent } from './audit-event.ts';
import type { PreparedEvent } from './audit-input.ts';
import { SqliteAuditWriter } from './audit-sqlite-writer.ts';

/** Full-text rows are written once this many wait... */
const INDEX_BATCH = 2048;
/** ...or this long after the first of them, whichever comes first. */
const INDEX_DELAY_MS = 20;

/**
 * The audit write path of one SQLite database in this process, shared by
 * every AuditLog on it (so one queue of full-text rows, one mark). Every use
 * of the raw handle holds Kysely's only connection first, which keeps other
 * queries, and any open Kysely transaction, off it meanwhile.
 */
export class SqliteAuditPath {
  readonly #db: Kysely<Database>;
  readonly #writer: SqliteAuditWriter;
  #caughtUp = false;
  #timer: NodeJS.Timeout | null = null;
  #logger: Pick<Logger, 'error'> | undefined;

  private constructor(db: Kysely<Database>, writer: SqliteAuditWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  /** The path of a SQLite store's Kysely instance; null for PostgreSQL or a SQLite store opened elsewhere. */
  static of(db: Kysely<Database>, logger?: Pick<Logger, 'error'>): SqliteAuditPath | null {
    let path = paths.get(db);
    if (path === undefined) {
      const handle = sqliteHandleOf(db);
      if (handle === undefined) return null;
      path = new SqliteAuditPath(db, new SqliteAuditWriter(handle));
      paths.set(db, path);
    }
    path.#logger ??= logger;
    return path;
  }

  /** Commits the batch (events, chain, head) in one transaction; its full-text rows follow shortly. */
  async write(batch: readonly PreparedEvent[]): Promise<AuditEvent[]> {
    return this.#db.connection().execute(
      () =>
        new Promise<AuditEvent[]>((resolve) => {
          this.#catchUp();
          const events = this.#writer.write(batch);
          if (this.#writer.pending >= INDEX_BATCH) this.#indexNow();
          else this.#timer ??= setTimeout(() => void this.flushSearch(), INDEX_DELAY_MS).unref();
          resolve(events);
        }),
    );
  }

  /** Writes every waiting full-text row now (before a search, at close). A failure is logged; the rows stay queued. */
  async flushSearch(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#writer.pending === 0 && this.#caughtUp) return;
    try {
      await this.#db.connection().execute(
        () =>
          new Promise<void>((resolve) => {
            this.#catchUp();
            this.#writer.indexPending();
            resolve();
          }),
      );
    } catch (error) {
      this.#logger?.error({ err: error, rows: this.#writer.pending }, 'audit full-text rows could not be written; retried with the next batch');
    }
  }

  #indexNow(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      this.#writer.indexPending();
    } catch (error) {
      // The events themselves are committed; their search rows wait for the next try.
      this.#logger?.error({ err: error, rows: this.#writer.pending }, 'audit full-text rows could not be written; retried with the next batch');
    }
  }

  /** Once per process and database. A failure must not hold up appends: it is logged and tried again at the next start. */
  #catchUp(): void {
    if (this.#caughtUp) return;
    this.#caughtUp = true;
    try {
      this.#writer.catchUp();
    } catch (error) {
      this.#logger?.error({ err: error }, 'audit full-text rows missing after a crash could not be written; search may miss those events until the next start');
    }
  }
}

const paths = new WeakMap<Kysely<Database>, SqliteAuditPath>();

/** Before reading the full-text table: writes the rows this process still holds back, so a search sees every committed event. */
export async function flushAuditSearch(db: Kysely<Database>): Promise<void> {
  await paths.get(db)?.flushSearch();
}
