/**
 * Table names as statements report them, matched against the table patterns
 * of grants and deny rules. Pure and allocation-light: it runs for every
 * statement on a resource whose rules carry `tables`.
 *
 * Simplification, stated in docs/policy.md: an unqualified name means
 * `public.<name>`. The session's search_path is not resolved, so a contractor
 * who changes it could reach a same-named table in another schema through an
 * unqualified name. Write statements schema-qualified where it matters.
 */

/** A pattern: `schema.table` or `schema.*`, lower-case unquoted identifiers. */
export const TABLE_PATTERN = /^[a-z_][a-z0-9_$]*\.(?:[a-z_][a-z0-9_$]*|\*)$/;

/**
 * `schema.table` for a name as the classifier reports it: unqualified names get
 * `public.`, a leading database name (`db.s.t`) is dropped.
 */
export function qualifiedTable(name: string): string {
  const parts = name.split('.');
  if (parts.length === 1) return `public.${name}`;
  if (parts.length === 2) return name;
  return parts.slice(-2).join('.');
}

/** Whether a qualified table name matches one pattern. Quoted mixed-case names never match lower-case patterns, as in PostgreSQL. */
export function tableMatches(table: string, pattern: string): boolean {
  if (pattern.endsWith('.*')) return table.startsWith(pattern.slice(0, -1)) && table.indexOf('.', pattern.length - 1) === -1;
  return table === pattern;
}

export function tableInScope(table: string, patterns: readonly string[]): boolean {
  for (const pattern of patterns) if (tableMatches(table, pattern)) return true;
  return false;
}

/** Every table a statement touches, qualified and de-duplicated, read before written. */
export function touchedTables(statement: { readonly tablesRead: readonly string[]; readonly tablesWritten: readonly string[] }): string[] {
  const seen = new Set<string>();
  for (const name of statement.tablesRead) seen.add(qualifiedTable(name));
  for (const name of statement.tablesWritten) seen.add(qualifiedTable(name));
  return [...seen];
}

/** The first table outside `patterns` (null patterns: every table is in scope). */
export function firstOutsideScope(tables: readonly string[], patterns: readonly string[] | null): string | undefined {
  if (patterns === null) return undefined;
  return tables.find((table) => !tableInScope(table, patterns));
}
