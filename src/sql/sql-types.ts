/**
 * What the classifier reports about SQL text. Callers decide; this layer only
 * describes what each statement would do.
 */

/**
 * Ordered from least to most privileged; see CLASS_RANK. `unsafe` is what no
 * ordinary grant allows (server files, shell commands, other servers, other
 * sessions, server-wide configuration, code Stint cannot see into).
 */
export type StatementClass = 'read' | 'write' | 'ddl' | 'admin' | 'unsafe';

/** Kinds of code whose effect the classifier cannot see, which a role holding ddl or admin may still run. */
export type OpaqueCode = 'do' | 'security_definer';

/** One run-time setting a statement changes. */
export interface SettingChange {
  /** Lower-cased; undefined for RESET ALL or a set_config whose name is not a string literal. */
  readonly name: string | undefined;
  /** The literal value as text (several values joined with ', '); undefined when not a literal, or on a reset. */
  readonly value?: string;
  /** SET x TO DEFAULT, RESET x, RESET ALL. */
  readonly reset?: true;
  /** SET LOCAL, SET TRANSACTION, or set_config(..., true): the change ends with the transaction. */
  readonly local?: true;
  readonly via: 'set' | 'reset' | 'set_config';
}

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
  /**
   * Every run-time setting the statement changes, in order: SET / SET LOCAL / RESET name / RESET ALL /
   * set_config(name, value, is_local) anywhere in the tree (name lower-cased; undefined name = RESET ALL
   * or a set_config whose name is not a string literal; value is the literal text when it is one, else
   * undefined; for SET x TO DEFAULT / RESET: value undefined and `reset: true`). SET TRANSACTION and
   * SET SESSION CHARACTERISTICS AS TRANSACTION report the settings they change (transaction_* and
   * default_transaction_*, booleans as 'on'/'off').
   */
  readonly settings?: readonly SettingChange[];
  /**
   * BEGIN/START TRANSACTION ... READ WRITE, SET TRANSACTION READ WRITE, SET SESSION CHARACTERISTICS AS
   * TRANSACTION READ WRITE anywhere in the statement. Also set when the statement sets, resets or
   * set_configs transaction_read_only or default_transaction_read_only to anything but a literal that
   * means on.
   */
  readonly setsReadWrite?: true;
  /** Set when the class is unsafe: what was found, in words a contractor understands. */
  readonly unsafeReasons?: readonly string[];
  /**
   * Set when the statement is unsafe only because it runs code the classifier cannot see into: a DO
   * block in a trusted language ('do'), or a function or procedure made SECURITY DEFINER
   * ('security_definer'). The decision may allow it to a role holding ddl or admin (DO) or admin
   * (SECURITY DEFINER). Untrusted-language code never sets this: it stays unsafe.
   */
  readonly opaqueCode?: OpaqueCode;
}

export type Classification =
  | { readonly ok: true; readonly statements: readonly StatementInfo[] }
  /**
   * The text could not be classified (a parse error, or text the parser would
   * not see whole). Callers must fail closed. `position` is 1-based, counted in
   * characters, as PostgreSQL reports it in an ErrorResponse.
   */
  | { readonly ok: false; readonly error: string; readonly position?: number };

export const CLASS_RANK: Readonly<Record<StatementClass, number>> = { read: 0, write: 1, ddl: 2, admin: 3, unsafe: 4 };

export function maxClass(a: StatementClass, b: StatementClass): StatementClass {
  return CLASS_RANK[b] > CLASS_RANK[a] ? b : a;
}
