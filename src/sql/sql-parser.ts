/**
 * The one place that talks to libpg-query (PostgreSQL's own parser compiled to
 * WASM). Loading is asynchronous and done once at start; parsing afterwards is
 * synchronous so a proxy can classify inside its message loop.
 */
import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';
import { isAstObject, type AstObject } from './ast-node.ts';

/** With the u flag a valid surrogate pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

let loading: Promise<void> | undefined;
let loaded = false;

/** Load the parser. Safe to call more than once; later calls share the first load. */
export async function loadSqlParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  try {
    await loading;
  } catch (error) {
    // Let a later call try again rather than caching the failure forever.
    loading = undefined;
    throw error;
  }
}

export interface RawStatement {
  /** The statement node, e.g. `{ SelectStmt: {...} }`. */
  readonly node: AstObject;
  /** Byte offset into the UTF-8 query text, and length in bytes (undefined: to the end). */
  readonly byteStart: number;
  readonly byteLength: number | undefined;
}

export type ParseOutcome =
  | { readonly ok: true; readonly statements: readonly RawStatement[] }
  | { readonly ok: false; readonly error: string; readonly position?: number };

/** Why the parser could not see `sql` as the caller holds it, or undefined when it can. */
export function unreadableText(sql: string): string | undefined {
  // The parser receives a C string: text after a NUL would go unseen, so refuse it.
  if (sql.includes('\0')) return 'the query text contains a NUL character';
  // A lone UTF-16 surrogate reaches the parser as U+FFFD, so the parser would see other text than the caller holds.
  if (LONE_SURROGATE.test(sql)) return 'the query text is not well-formed Unicode';
  return undefined;
}

export function parseSql(sql: string): ParseOutcome {
  if (!loaded) throw new Error('The SQL parser is not loaded: await loadSqlParser() once before classifying SQL.');
  const refusal = unreadableText(sql);
  if (refusal !== undefined) return { ok: false, error: refusal };
  // libpg-query rejects the empty string; PostgreSQL answers it with EmptyQueryResponse.
  if (sql === '') return { ok: true, statements: [] };
  let result: unknown;
  try {
    result = parseSync(sql);
  } catch (error) {
    if (hasSqlDetails(error) && error.sqlDetails !== undefined) {
      // libpg-query reports a 0-based character offset; PostgreSQL's own position is 1-based.
      return { ok: false, error: error.sqlDetails.message, position: error.sqlDetails.cursorPosition + 1 };
    }
    return { ok: false, error: error instanceof Error ? error.message : 'the SQL parser failed' };
  }
  if (!isAstObject(result) || !Array.isArray(result.stmts)) return { ok: false, error: 'the SQL parser returned no statement list' };
  return { ok: true, statements: (result.stmts as unknown[]).map(rawStatement) };
}

function rawStatement(raw: unknown): RawStatement {
  const fields = isAstObject(raw) ? raw : {};
  // A statement of an unexpected shape is kept as an empty node, which classifies as admin; never dropped.
  const node = isAstObject(fields.stmt) ? fields.stmt : {};
  const start = typeof fields.stmt_location === 'number' ? fields.stmt_location : 0;
  // A zero or missing length means "to the end of the text" (the last statement).
  const length = typeof fields.stmt_len === 'number' && fields.stmt_len > 0 ? fields.stmt_len : undefined;
  return { node, byteStart: start, byteLength: length };
}
