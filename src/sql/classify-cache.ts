/**
 * Remembers classifications by shape (sql-shape.ts), so a client sending the
 * same statements with new literals skips the parser. Correctness rests on
 * one rule: an entry is shared only when classifying it read no literal value
 * (literal-tracking.ts finds that out without a list of places to look).
 *
 * A shape is first only noted; the second time it is seen it is classified
 * with tracking (two parses and a tracked walk), and from the third time on
 * served from the cache. One-off texts thus cost a scan and a map lookup more
 * than no cache, never the tracking.
 */
import type { Classification, StatementInfo } from './sql-types.ts';
import { sqlShape, type SqlShape } from './sql-shape.ts';

export const CACHE_MAX_ENTRIES = 2_000;
/** Longer texts are classified afresh: they are rarely repeated, and scanning them is not free. */
export const CACHE_MAX_TEXT = 8 * 1024;

type Entry =
  | { readonly state: 'seen' }
  /** Classification read a literal, or the shape's statements could not be matched to the parser's. */
  | { readonly state: 'bypass' }
  | { readonly state: 'shared'; readonly statements: readonly StatementInfo[] };

const SEEN: Entry = { state: 'seen' };
const BYPASS: Entry = { state: 'bypass' };

/** The outcome of classifying with tracking: the classification, and whether it may be shared by its shape. */
export interface TrackedClassification {
  readonly result: Classification;
  readonly shareable: boolean;
}

export interface CacheFunctions {
  /** Classify without the cache. */
  readonly fresh: (sql: string) => Classification;
  /** Classify while finding out whether any literal was read. */
  readonly tracked: (sql: string, shape: SqlShape) => TrackedClassification;
  /** Why the parser could not see the text whole (checked before any lookup: such text never hits). */
  readonly unreadable: (sql: string) => string | undefined;
}

export interface CacheStats {
  readonly entries: number;
  readonly hits: number;
  readonly misses: number;
}

export class ClassificationCache {
  readonly #entries = new Map<string, Entry>();
  readonly #functions: CacheFunctions;
  readonly #maxEntries: number;
  #hits = 0;
  #misses = 0;

  constructor(functions: CacheFunctions, maxEntries = CACHE_MAX_ENTRIES) {
    this.#functions = functions;
    this.#maxEntries = maxEntries;
  }

  classify(sql: string): Classification {
    const { fresh, tracked, unreadable } = this.#functions;
    if (sql.length > CACHE_MAX_TEXT || unreadable(sql) !== undefined) return fresh(sql);
    const shape = sqlShape(sql);
    if (shape === undefined) return fresh(sql);
    const entry = this.#lookup(shape.key);
    if (entry?.state === 'shared') {
      this.#hits++;
      return { ok: true, statements: withTexts(entry.statements, sql, shape) };
    }
    this.#misses++;
    if (entry === undefined) {
      this.#store(shape.key, SEEN);
      return fresh(sql);
    }
    if (entry.state === 'bypass') return fresh(sql);
    let outcome: TrackedClassification;
    try {
      outcome = tracked(sql, shape);
    } catch {
      // Tracking copies the tree recursively; a tree too deep for that is classified (and refused) afresh.
      this.#store(shape.key, BYPASS);
      return fresh(sql);
    }
    const statements = outcome.result.ok ? outcome.result.statements : undefined;
    this.#store(shape.key, outcome.shareable && statements !== undefined ? { state: 'shared', statements } : BYPASS);
    return outcome.result;
  }

  stats(): CacheStats {
    return { entries: this.#entries.size, hits: this.#hits, misses: this.#misses };
  }

  clear(): void {
    this.#entries.clear();
    this.#hits = 0;
    this.#misses = 0;
  }

  /** Least recently used first: a lookup moves the entry to the end. */
  #lookup(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #store(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}

/** The statements' own texts, as the parser would slice them: from the first token to the semicolon, trimmed. */
export function shapeTexts(sql: string, shape: SqlShape): string[] {
  return shape.statements.map((statement) => sql.slice(statement.start, statement.end).trim());
}

function withTexts(statements: readonly StatementInfo[], sql: string, shape: SqlShape): StatementInfo[] {
  const texts = shapeTexts(sql, shape);
  return statements.map((info, index) => ({ ...info, text: texts[index]! }));
}
