import type SQLite from 'better-sqlite3';
import { chainBatch, headAfter } from './audit-chain-batch.ts';
import type { AuditEvent } from './audit-event.ts';
import { searchBodyOf, type PreparedEvent } from './audit-input.ts';
import { parseData } from './audit-row.ts';

/** The `meta` key holding the highest seq whose full-text row has been written (migration 005 sets it). */
export const FTS_MARK_KEY = 'audit_fts_seq';

/**
 * Writes audit batches on SQLite through statements prepared once, in one
 * IMMEDIATE transaction per batch. Going through Kysely cost a query compile
 * and a fresh `prepare` for every row, more than the inserts themselves.
 *
 * Full-text rows are written apart from the events, in bigger transactions
 * of their own (`indexPending`): an FTS5 insert in a small transaction writes
 * a fresh index segment and merges old ones at every commit, which tripled
 * the cost of the per-statement commits the gateway waits for. The events,
 * their chain and the head are what the promise "recorded before forwarded"
 * rests on, and they commit first; the search rows follow within
 * milliseconds, and a crash in between is repaired by `catchUp` (the `meta`
 * mark says how far the full-text rows go).
 *
 * The caller must hold the store's only connection (Kysely's
 * `db.connection().execute`), so no Kysely transaction is open on it while
 * this one runs; the `inTransaction` check fails a batch closed rather than
 * letting it join someone else's transaction.
 */
export class SqliteAuditWriter {
  readonly #db: SQLite.Database;
  readonly #readHead: SQLite.Statement<[], { seq: number; hash: string }>;
  readonly #insertEvent: SQLite.Statement<unknown[]>;
  readonly #insertFts: SQLite.Statement<unknown[]>;
  readonly #updateHead: SQLite.Statement<unknown[]>;
  readonly #writeMark: SQLite.Statement<unknown[]>;
  readonly #write: SQLite.Transaction<(batch: readonly PreparedEvent[]) => AuditEvent[]>;
  readonly #index: SQLite.Transaction<(rows: readonly FtsRow[]) => void>;
  #pending: FtsRow[] = [];

  constructor(db: SQLite.Database) {
    this.#db = db;
    this.#readHead = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.#insertEvent = db.prepare(
      'INSERT INTO audit_events (seq, ts, code, outcome, actor, resource, subject, summary, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#insertFts = db.prepare('INSERT INTO audit_fts (rowid, body) VALUES (?, ?)');
    this.#updateHead = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
    this.#writeMark = db.prepare(`INSERT INTO meta (key, value) VALUES ('${FTS_MARK_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    // BEGIN IMMEDIATE takes the write lock up front: another process on the
    // same file (a CLI run) then waits on busy_timeout instead of deadlocking
    // on a read-to-write upgrade.
    this.#write = db.transaction((batch: readonly PreparedEvent[]) => this.#writeBatch(batch));
    this.#index = db.transaction((rows: readonly FtsRow[]) => {
      let mark = 0;
      for (const row of rows) {
        this.#insertFts.run(row.seq, row.body);
        if (row.seq > mark) mark = row.seq;
      }
      // Never moves back: rows of another process's events may be written after ours.
      const current = readMark(db);
      if (current === null || mark > current) this.#writeMark.run(String(mark));
    });
  }

  /** Full-text rows waiting for `indexPending`. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Chains and writes the batch; all or nothing. Throws when it could not be written. */
  write(batch: readonly PreparedEvent[]): AuditEvent[] {
    this.#checkFree();
    const rows = batch.map((event) => ({ seq: 0, body: event.searchBody }));
    const events = this.#write.immediate(batch);
    events.forEach((event, i) => ((rows[i] as FtsRow).seq = event.seq));
    for (const row of rows) this.#pending.push(row);
    return events;
  }

  /** Writes the waiting full-text rows in one transaction; on failure they stay queued for the next try. */
  indexPending(): void {
    if (this.#pending.length === 0) return;
    this.#checkFree();
    this.#index.immediate(this.#pending);
    this.#pending = [];
  }

  /**
   * Writes the full-text rows of events past the mark: those a crash (or a
   * closed store) kept from being indexed. Rows another process has queued
   * may be written twice; a contentless FTS table holds the duplicate
   * harmlessly (search asks only which seqs match).
   */
  catchUp(): number {
    this.#checkFree();
    const mark = readMark(this.#db) ?? this.#readHead.get()?.seq ?? 0;
    const rows = this.#db
      .prepare<[number], EventTextRow>('SELECT seq, code, actor, resource, subject, summary, data FROM audit_events WHERE seq > ? ORDER BY seq')
      .all(mark)
      .map((row) => ({ seq: row.seq, body: searchBodyOf({ ...row, data: parseData(row.data) }) }));
    if (rows.length > 0) this.#index.immediate(rows);
    return rows.length;
  }

  #checkFree(): void {
    if (this.#db.inTransaction) throw new Error('the SQLite connection is inside another transaction');
  }

  #writeBatch(batch: readonly PreparedEvent[]): AuditEvent[] {
    const head = this.#readHead.get();
    if (head === undefined) throw new Error('the audit_head row is missing');
    const events = chainBatch(head, batch);
    events.forEach((e, i) => this.#insertEvent.run(e.seq, e.ts, e.code, e.outcome, e.actor, e.resource, e.subject, e.summary, batch[i]!.dataJson, e.prevHash, e.hash));
    const after = headAfter(head, events);
    this.#updateHead.run(after.seq, after.hash);
    return events;
  }
}

interface FtsRow {
  seq: number;
  readonly body: string;
}

interface EventTextRow {
  readonly seq: number;
  readonly code: string;
  readonly actor: string;
  readonly resource: string | null;
  readonly subject: string | null;
  readonly summary: string;
  readonly data: string;
}

function readMark(db: SQLite.Database): number | null {
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(FTS_MARK_KEY);
  if (row === undefined) return null;
  const mark = Number(row.value);
  return Number.isSafeInteger(mark) ? mark : null;
}
