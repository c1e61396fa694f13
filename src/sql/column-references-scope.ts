/**
 * Name resolution for column-references.ts, without the catalog: which
 * relations a query level can see (tables, subqueries, CTEs, joins), and
 * which of their columns are sensitive. Where a name cannot be pinned to one
 * relation, every visible relation is asked: an unqualified column named like
 * a sensitive column of any table in scope counts as that column (fail closed).
 */
import { listField, unwrap, type AstObject } from './ast-node.ts';

/** Column names a relation may carry that are sensitive; ALL when they cannot be told apart (renamed outputs). */
export type SensitiveNames = ReadonlySet<string> | 'all';

export const NONE: ReadonlySet<string> = new Set();

/** The caller's knowledge of which columns are sensitive. */
export interface SensitiveColumns {
  /** Sensitive column names of a table (`schema.table`, lower-case); empty when none. */
  of(table: string): ReadonlySet<string>;
  /**
   * For a table written without its schema: the sensitive names of a table of
   * that name in any schema (the search_path is not known here). Absent: `of('public.<name>')`.
   */
  ofUnqualified?(table: string): ReadonlySet<string>;
}

export interface Relation {
  /** Names the relation answers to: its alias, or its name and schema-qualified name. */
  readonly names: readonly string[];
  /** The real table (`schema.table`), absent for subqueries, CTEs, functions and joins. */
  readonly table?: string;
  /** What a reference names in messages: the table, or the alias of a derived relation. */
  readonly label: string;
  readonly sensitive: SensitiveNames;
}

/** One query level's relations, with the enclosing levels a correlated subquery also sees. */
export class Scope {
  readonly relations: Relation[] = [];
  readonly parent: Scope | undefined;
  /** Output names of this level that carry sensitive data (ORDER BY / GROUP BY may name them). */
  readonly sensitiveOutputs = new Set<string>();

  constructor(parent?: Scope) {
    this.parent = parent;
  }

  /** The nearest relation answering to `qualifier` (`alias`, `table` or `schema.table`). */
  find(qualifier: string): Relation | undefined {
    return this.relations.find((relation) => relation.names.includes(qualifier)) ?? this.parent?.find(qualifier);
  }

  /** Every relation visible from this level, nearest first. */
  *visible(): Iterable<Relation> {
    yield* this.relations;
    if (this.parent !== undefined) yield* this.parent.visible();
  }
}

export function isSensitive(names: SensitiveNames, column: string): boolean {
  return names === 'all' || names.has(column);
}

export function hasSensitive(names: SensitiveNames): boolean {
  return names === 'all' || names.size > 0;
}

/** The union of several relations' sensitive names. */
export function unionSensitive(parts: readonly SensitiveNames[]): SensitiveNames {
  const out = new Set<string>();
  for (const part of parts) {
    if (part === 'all') return 'all';
    for (const name of part) out.add(name);
  }
  return out;
}

/** What a column reference may read: its sensitive names, the column it names, or a whole row. */
export function resolveColumn(ref: AstObject, scope: Scope): { names: SensitiveNames; column?: string; label: string; wholeRow?: string } {
  const parts: string[] = [];
  let star = false;
  for (const field of listField(ref, 'fields')) {
    const sval = unwrap(field, 'String')?.sval;
    if (typeof sval === 'string') parts.push(sval);
    else star = true;
  }
  if (star) {
    const relations = parts.length === 0 ? scope.relations : [scope.find(parts.join('.'))].filter((relation) => relation !== undefined);
    const names = unionSensitive(relations.map((relation) => relation.sensitive));
    const label = relations.find((relation) => hasSensitive(relation.sensitive))?.label ?? parts.join('.');
    return { names, label: `${label}.*` };
  }
  const column = parts[parts.length - 1]?.toLowerCase() ?? '';
  if (parts.length === 1) {
    // A bare name may be a column, or a whole row of a relation named so (PostgreSQL tries the column first).
    const row = scope.find(parts[0]!);
    if (row !== undefined && hasSensitive(row.sensitive)) return { names: row.sensitive, label: `${row.label}.*`, wholeRow: row.label };
    for (let level: Scope | undefined = scope; level !== undefined; level = level.parent) {
      if (level.sensitiveOutputs.has(column)) return { names: new Set([column]), column, label: `output column ${column}` };
    }
    for (const relation of scope.visible()) {
      if (isSensitive(relation.sensitive, column)) return { names: new Set([column]), column, label: `${relation.label}.${column}` };
    }
    return { names: NONE, column, label: column };
  }
  const relation = scope.find(parts.slice(0, -1).join('.')) ?? scope.find(parts.slice(0, -1).join('.').toLowerCase());
  if (relation !== undefined) {
    const hit = isSensitive(relation.sensitive, column);
    return { names: hit ? new Set([column]) : NONE, column, label: `${relation.label}.${column}` };
  }
  // An unknown qualifier (a composite column, a name not resolved here): judged by the column name alone.
  for (const visible of scope.visible()) {
    if (isSensitive(visible.sensitive, column)) return { names: new Set([column]), column, label: `${visible.label}.${column}` };
  }
  return { names: NONE, column, label: parts.join('.') };
}

/** `schema.table` for a RangeVar's parts: no schema means public (see docs/policy.md on search_path). */
export function qualifiedName(schema: string | undefined, relname: string): string {
  return `${(schema ?? 'public').toLowerCase()}.${relname.toLowerCase()}`;
}
