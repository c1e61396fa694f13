/**
 * What the classifier reports about SQL text. Callers decide; this layer only
 * describes what each statement would do.
 */

/** Ordered from least to most privileged; see CLASS_RANK. */
export type StatementClass = 'read' | 'write' | 'ddl' | 'admin';

export interface StatementInfo {
  /** The most privileged action the statement needs. */
  readonly class: StatementClass;
  /** e.g. 'SELECT', 'INSERT', 'CREATE TABLE', 'SET', 'EXPLAIN ANALYZE'. */
  readonly command: string;
  /** Schema-qualified when written so, else as written (lower-cased unless quoted); CTE references removed. */
  readonly tablesRead: readonly string[];
  readonly tablesWritten: readonly string[];
  /** Every function called, schema-qualified when written so, lower-cased. */
  readonly functions: readonly string[];
  /** This statement's own text, without surrounding whitespace or the separating semicolon. */
  readonly text: string;
  /**
   * Set when the statement runs a prepared statement (EXECUTE, EXPLAIN ANALYZE
   * EXECUTE, CREATE TABLE AS EXECUTE): the statement's class says nothing about
   * what runs, so the caller must look up what was prepared under this name.
   */
  readonly executes?: string;
  /** Set when a DELETE anywhere in the tree (a CTE included) that runs has no WHERE clause. */
  readonly deleteWithoutWhere?: true;
  /** Set when an UPDATE anywhere in the tree that runs has no WHERE clause. */
  readonly updateWithoutWhere?: true;
  /** Set on TRUNCATE. */
  readonly truncates?: true;
  /** Set on PREPARE: the name the statement is prepared under, so callers can remember its class. */
  readonly prepares?: string;
}

export type Classification =
  | { readonly ok: true; readonly statements: readonly StatementInfo[] }
  /**
   * The text could not be classified (a parse error, or text the parser would
   * not see whole). Callers must fail closed. `position` is 1-based, counted in
   * characters, as PostgreSQL reports it in an ErrorResponse.
   */
  | { readonly ok: false; readonly error: string; readonly position?: number };

export const CLASS_RANK: Readonly<Record<StatementClass, number>> = { read: 0, write: 1, ddl: 2, admin: 3 };

export function maxClass(a: StatementClass, b: StatementClass): StatementClass {
  return CLASS_RANK[b] > CLASS_RANK[a] ? b : a;
}
