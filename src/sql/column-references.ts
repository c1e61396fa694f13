/**
 * Where a statement uses sensitive columns, found on libpg-query's tree. The
 * one use that reveals nothing beyond the value itself is a plain output
 * column of the top-level query (a column reference, `*` or `t.*`, possibly
 * renamed, possibly through a subquery or CTE that passes it on plainly):
 * there the value reaches the client as a column of its own, which the
 * gateway can rewrite. Every other use is reported as a leak, with the place
 * it was found: a filter or sort is an oracle for the clear value, an
 * expression or whole-row reference carries it where the gateway cannot see
 * it, and INSERT ... SELECT, CREATE TABLE AS, views and COPY to files put it
 * somewhere unmasked.
 *
 * Pure and catalog-free; see column-references-scope.ts for name resolution.
 */
import { isAstObject, listField, objectField, stringField, stringValue, structField, unwrap, wrappedNodeType, type AstObject } from './ast-node.ts';
import { baseFunctionName, queryTextArgument, RELATION_BY_VALUE_FUNCTIONS } from './sql-functions.ts';
import { parseSql } from './sql-parser.ts';
import {
  hasSensitive,
  NONE,
  qualifiedName,
  resolveColumn,
  Scope,
  unionSensitive,
  type Relation,
  type SensitiveColumns,
  type SensitiveNames,
} from './column-references-scope.ts';

export type { SensitiveColumns } from './column-references-scope.ts';

export interface ColumnLeak {
  /** `schema.table.column`, `schema.table.*` (a whole row), or `alias.column` for a derived relation. */
  readonly column: string;
  /** Where it was used, in words: "the WHERE clause", "an expression in the SELECT list", ... */
  readonly place: string;
}

export interface ColumnUsage {
  readonly leaks: readonly ColumnLeak[];
  /** Whether the statement names a sensitive column at all, plain outputs included. */
  readonly touchesSensitive: boolean;
}

/** How a query's own output columns may use sensitive columns. */
type Role = 'top' | 'derived' | 'nested';

/** Per output column, whether it carries sensitive data; `starAt`: the first `*` that may, after which positions are unknown. */
type Positions = boolean[] & { starAt?: number };

export function findColumnLeaks(statement: AstObject, sensitive: SensitiveColumns): ColumnUsage {
  const analysis = new Analysis(sensitive);
  analysis.statement(statement);
  return { leaks: analysis.leaks, touchesSensitive: analysis.touches };
}

class Analysis {
  readonly leaks: ColumnLeak[] = [];
  touches = false;
  readonly #sensitive: SensitiveColumns;
  /** CTE names in force, innermost last. */
  readonly #ctes: Map<string, SensitiveNames>[] = [];

  constructor(sensitive: SensitiveColumns) {
    this.#sensitive = sensitive;
  }

  statement(node: AstObject): void {
    const type = wrappedNodeType(node);
    const body = type === undefined ? node : (node[type] as AstObject);
    switch (type) {
      case 'SelectStmt':
        this.select(body, undefined, 'top', 'the query');
        return;
      case 'DeclareCursorStmt':
      case 'PrepareStmt':
      case 'ExplainStmt':
        this.inner(body.query, undefined, 'top', 'the query');
        return;
      case 'CreateTableAsStmt':
        this.inner(body.query, undefined, 'nested', 'CREATE TABLE AS / CREATE MATERIALIZED VIEW (copies clear data)');
        return;
      case 'ViewStmt':
        this.inner(body.query, undefined, 'nested', 'CREATE VIEW (a view would show clear data)');
        return;
      case 'CopyStmt':
        this.copy(body);
        return;
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        this.dml(type, body, undefined);
        return;
      default:
        // Anything else (DDL with expressions, CALL, ...): every column it names is judged where it stands.
        this.expression(body, this.tablesOf(body, new Scope()), 'the statement');
    }
  }

  /** A query held in a field as `{SelectStmt: ...}` (or a bare struct). */
  inner(value: unknown, parent: Scope | undefined, role: Role, place: string): SensitiveNames {
    if (!isAstObject(value)) return NONE;
    const select = unwrap(value, 'SelectStmt');
    if (select !== undefined) return this.select(select, parent, role, place);
    const type = wrappedNodeType(value);
    if (type === 'InsertStmt' || type === 'UpdateStmt' || type === 'DeleteStmt' || type === 'MergeStmt') this.dml(type, value[type] as AstObject, parent);
    else this.statement(value);
    return NONE;
  }

  /** One SELECT level; returns the sensitive names among its output columns (for a FROM subquery or CTE). */
  select(select: AstObject, parent: Scope | undefined, role: Role, place: string): SensitiveNames {
    const pushed = this.withClause(objectField(select, 'withClause') ?? structField(select, 'withClause', 'WithClause'), parent);
    try {
      if (stringField(select, 'op') !== undefined && stringField(select, 'op') !== 'SETOP_NONE') {
        const arms = `a set operation (UNION / INTERSECT / EXCEPT) in ${place}`;
        this.select(structField(select, 'larg', 'SelectStmt') ?? {}, parent, 'nested', arms);
        this.select(structField(select, 'rarg', 'SelectStmt') ?? {}, parent, 'nested', arms);
        this.clauses(select, new Scope(parent), [], place);
        return NONE;
      }
      const scope = new Scope(parent);
      for (const item of listField(select, 'fromClause')) this.fromItem(item, scope, place);
      for (const row of listField(select, 'valuesLists')) this.expression(row, scope, `VALUES in ${place}`);
      const into = select.intoClause !== undefined;
      const effective: Role = into ? 'nested' : role;
      const targetPlace = into ? 'SELECT INTO (copies clear data)' : place;
      const outputs: SensitiveNames[] = [];
      const perTarget: Positions = [];
      for (const item of listField(select, 'targetList')) {
        const target = unwrap(item, 'ResTarget') ?? {};
        const output = this.target(target, scope, effective, targetPlace);
        outputs.push(output);
        perTarget.push(hasSensitive(output));
        // A `*` expands to an unknown number of columns: every position from it on may be sensitive.
        if (hasSensitive(output) && isStar(target.val)) perTarget.starAt ??= perTarget.length - 1;
        if (hasSensitive(output) && typeof target.name === 'string') scope.sensitiveOutputs.add(target.name.toLowerCase());
      }
      this.clauses(select, scope, perTarget, place);
      return unionSensitive(outputs);
    } finally {
      if (pushed) this.#ctes.pop();
    }
  }

  /** One output column; returns what sensitive data it passes on. */
  target(target: AstObject, scope: Scope, role: Role, place: string): SensitiveNames {
    const ref = unwrap(target.val, 'ColumnRef');
    if (ref === undefined || role === 'nested') {
      const where = role === 'nested' ? `the SELECT list of ${place}` : `an expression in the SELECT list of ${place}`;
      this.expression(target.val, scope, where);
      return NONE;
    }
    const resolved = resolveColumn(ref, scope);
    if (resolved.wholeRow !== undefined) this.leak(`${resolved.wholeRow}.*`, `a whole-row reference in the SELECT list of ${place}`);
    if (!hasSensitive(resolved.names)) return NONE;
    this.touches = true;
    // Renamed: the output carries the data under the new name.
    if (resolved.column !== undefined) return new Set([typeof target.name === 'string' ? target.name.toLowerCase() : resolved.column]);
    return resolved.names;
  }

  /** WHERE, GROUP BY, HAVING, ORDER BY, DISTINCT, WINDOW, LIMIT: no sensitive column may appear in any. */
  clauses(select: AstObject, scope: Scope, perTarget: Positions, place: string): void {
    const at = (what: string): string => `the ${what} of ${place}`;
    this.expression(select.whereClause, scope, at('WHERE clause'));
    this.expression(select.havingClause, scope, at('HAVING clause'));
    this.expression(select.windowClause, scope, at('WINDOW clause'));
    this.expression(select.limitCount, scope, at('LIMIT'));
    this.expression(select.limitOffset, scope, at('OFFSET'));
    for (const [field, what] of [['groupClause', 'GROUP BY'], ['sortClause', 'ORDER BY'], ['distinctClause', 'DISTINCT ON']] as const) {
      for (const item of listField(select, field)) {
        const node = unwrap(item, 'SortBy')?.node ?? item;
        // `ORDER BY 2` names the second output column.
        const position = unwrap(node, 'A_Const');
        const ival = position === undefined ? undefined : objectField(position, 'ival')?.ival;
        const starAt = perTarget.starAt;
        if (typeof ival === 'number' && (perTarget[ival - 1] === true || (starAt !== undefined && ival - 1 >= starAt))) this.leak(`output column ${ival}`, at(what));
        // A bare `DISTINCT` is an empty node: it compares every output column.
        else if (field === 'distinctClause' && isAstObject(item) && Object.keys(item).length === 0 && perTarget.includes(true)) {
          this.leak('an output column', at('DISTINCT'));
        } else this.expression(node, scope, at(what));
      }
    }
  }

  fromItem(item: unknown, scope: Scope, place: string): void {
    if (!isAstObject(item)) return;
    const type = wrappedNodeType(item);
    const body = type === undefined ? item : (item[type] as AstObject);
    switch (type) {
      case 'RangeVar':
        scope.relations.push(this.rangeVar(body));
        return;
      case 'RangeSubselect': {
        const alias = objectField(body, 'alias');
        const lateral = body.lateral === true;
        const name = stringField(alias ?? {}, 'aliasname') ?? 'subquery';
        const names = this.inner(body.subquery, lateral ? scope : scope.parent, 'derived', `the subquery ${name} in FROM`);
        scope.relations.push({ names: [name], label: name, sensitive: renamed(alias, names) });
        return;
      }
      case 'JoinExpr': {
        const start = scope.relations.length;
        this.fromItem(body.larg, scope, place);
        this.fromItem(body.rarg, scope, place);
        this.expression(body.quals, scope, `a JOIN condition of ${place}`);
        // NATURAL compares every pair of same-named columns, which may include masked ones.
        const joined = scope.relations.slice(start);
        if (body.isNatural === true && joined.some((relation) => hasSensitive(relation.sensitive))) {
          this.leak(`${joined.find((relation) => hasSensitive(relation.sensitive))!.label}.*`, `a NATURAL JOIN of ${place} (it compares same-named columns)`);
        }
        for (const name of listField(body, 'usingClause')) this.expression({ ColumnRef: { fields: [name] } }, scope, `JOIN ... USING of ${place}`);
        const alias = stringField(objectField(body, 'alias') ?? {}, 'aliasname');
        if (alias !== undefined) {
          const inner = unionSensitive(scope.relations.slice(start).map((relation) => relation.sensitive));
          scope.relations.push({ names: [alias], label: alias, sensitive: renamed(objectField(body, 'alias'), inner) });
        }
        return;
      }
      case 'RangeTableSample':
        this.fromItem(body.relation, scope, place);
        this.expression(body.args, scope, `TABLESAMPLE of ${place}`);
        return;
      default: {
        // Functions in FROM (their arguments may name LATERAL columns); their own columns are not known to be sensitive.
        this.expression(body, scope, `a function in FROM of ${place}`);
        const alias = stringField(objectField(body, 'alias') ?? {}, 'aliasname');
        if (alias !== undefined) scope.relations.push({ names: [alias], label: alias, sensitive: NONE });
      }
    }
  }

  rangeVar(rangeVar: AstObject): Relation {
    const relname = stringField(rangeVar, 'relname') ?? '';
    const schema = stringField(rangeVar, 'schemaname');
    if ((schema === undefined || schema === 'pg_catalog') && STATISTICS_CATALOGS.has(relname)) {
      this.leak('every masked column', `${relname} (the planner's statistics hold sample values of every column, masked ones included)`);
    }
    const alias = stringField(objectField(rangeVar, 'alias') ?? {}, 'aliasname');
    const cte = schema === undefined ? this.cte(relname) : undefined;
    if (cte !== undefined) return { names: [alias ?? relname], label: alias ?? relname, sensitive: renamed(objectField(rangeVar, 'alias'), cte) };
    const table = qualifiedName(schema, relname);
    const names = alias !== undefined ? [alias] : [relname, table, ...(schema === undefined ? [] : [`${schema}.${relname}`])];
    const sensitive = schema === undefined && this.#sensitive.ofUnqualified !== undefined ? this.#sensitive.ofUnqualified(relname.toLowerCase()) : this.#sensitive.of(table);
    return { names, table, label: table, sensitive };
  }

  cte(name: string): SensitiveNames | undefined {
    for (let index = this.#ctes.length - 1; index >= 0; index--) {
      const found = this.#ctes[index]!.get(name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Registers a WITH clause's CTEs (each visible to the ones after it, and to itself when recursive). */
  withClause(withClause: AstObject | undefined, parent: Scope | undefined): boolean {
    if (withClause === undefined) return false;
    const ctes = new Map<string, SensitiveNames>();
    this.#ctes.push(ctes);
    for (const item of listField(withClause, 'ctes')) {
      const cte = unwrap(item, 'CommonTableExpr');
      const name = cte === undefined ? undefined : stringField(cte, 'ctename');
      if (cte === undefined || name === undefined) continue;
      ctes.set(name, NONE);
      const names = this.inner(cte.ctequery, parent, 'derived', `the CTE ${name}`);
      ctes.set(name, listField(cte, 'aliascolnames').length > 0 && hasSensitive(names) ? 'all' : names);
    }
    return true;
  }

  dml(type: string, body: AstObject, parent: Scope | undefined): void {
    const pushed = this.withClause(structField(body, 'withClause', 'WithClause'), parent);
    try {
      const scope = new Scope(parent);
      const relation = structField(body, 'relation', 'RangeVar');
      const target = relation === undefined ? undefined : this.rangeVar(relation);
      if (target !== undefined) scope.relations.push(type === 'InsertStmt' ? { ...target, names: [...target.names, 'excluded'] } : target);
      const verb = type.replace('Stmt', '').toUpperCase();
      if (type === 'InsertStmt') {
        const select = unwrap(body.selectStmt, 'SelectStmt');
        if (select !== undefined) this.select(select, parent, 'nested', 'INSERT ... SELECT (copies clear data)');
        this.expression(body.onConflictClause, scope, 'ON CONFLICT of the INSERT');
      }
      for (const field of ['fromClause', 'usingClause']) for (const item of listField(body, field)) this.fromItem(item, scope, `the ${verb}`);
      if (type === 'MergeStmt') {
        this.fromItem(body.sourceRelation, scope, 'the MERGE');
        this.expression(body.joinCondition, scope, 'the ON condition of the MERGE');
        this.expression(body.mergeWhenClauses, scope, 'a WHEN clause of the MERGE');
      }
      if (type === 'UpdateStmt') this.expression(body.targetList, scope, 'a SET expression of the UPDATE');
      this.expression(body.whereClause, scope, `the WHERE clause of the ${verb}`);
      const returning = objectField(body, 'returningClause')?.exprs ?? body.returningList;
      this.expression(returning, scope, `RETURNING of the ${verb} (RETURNING never shows masked columns)`);
    } finally {
      if (pushed) this.#ctes.pop();
    }
  }

  /** COPY TO STDOUT in text or csv is masked in flight, row by row; binary or to a server file or program it cannot be. */
  copy(body: AstObject): void {
    const binary = listField(body, 'options').some((option) => {
      const def = unwrap(option, 'DefElem');
      return def !== undefined && stringField(def, 'defname') === 'format' && JSON.stringify(def.arg ?? '').toLowerCase().includes('binary');
    });
    const elsewhere = body.filename !== undefined || body.is_program === true;
    if (body.query !== undefined) {
      if (elsewhere) this.inner(body.query, undefined, 'nested', 'COPY (query) to a server file or program (copies clear data)');
      else if (binary) this.inner(body.query, undefined, 'nested', 'binary COPY (query) (only text and csv COPY TO STDOUT can be masked)');
      else this.inner(body.query, undefined, 'top', 'COPY (query)');
      return;
    }
    const relation = structField(body, 'relation', 'RangeVar');
    if (relation === undefined || body.is_from === true) return;
    const table = this.rangeVar(relation);
    if (!hasSensitive(table.sensitive)) return;
    this.touches = true;
    if (elsewhere) this.leak(`${table.label}.*`, 'COPY to a server file or program (copies clear data)');
    else if (binary) this.leak(`${table.label}.*`, 'binary COPY (only text and csv COPY TO STDOUT can be masked)');
  }

  /** Walks an expression; every sensitive column found in it is a leak at `place`. */
  expression(value: unknown, scope: Scope, place: string): void {
    if (Array.isArray(value)) {
      for (const item of value) this.expression(item, scope, place);
      return;
    }
    if (!isAstObject(value)) return;
    const ref = unwrap(value, 'ColumnRef');
    if (ref !== undefined) {
      const resolved = resolveColumn(ref, scope);
      if (resolved.wholeRow !== undefined) this.leak(`${resolved.wholeRow}.*`, place);
      else if (hasSensitive(resolved.names)) this.leak(resolved.label, place);
      return;
    }
    const select = unwrap(value, 'SelectStmt');
    if (select !== undefined) {
      this.select(select, scope, 'nested', `a subquery in ${place}`);
      return;
    }
    const call = unwrap(value, 'FuncCall');
    if (call !== undefined) this.opaqueCall(call);
    for (const key in value) this.expression(value[key], scope, place);
  }

  /**
   * Calls that read data the statement does not name: SQL text run by the
   * function (query_to_xml, ts_stat, ts_rewrite) is judged as a nested query,
   * whose every sensitive column is a leak since its results come back inside
   * one value; a call reading a whole table, schema, database or cursor named
   * by value is a leak outright, as is SQL text that is not a readable literal.
   */
  opaqueCall(call: AstObject): void {
    const name = listField(call, 'funcname')
      .map((part) => stringValue(part)?.toLowerCase() ?? '')
      .join('.');
    const base = baseFunctionName(name);
    if (RELATION_BY_VALUE_FUNCTIONS.has(base)) {
      this.leak('every masked column', `${base}() (it reads a whole table, schema, database or cursor the gateway cannot mask)`);
      return;
    }
    const args = listField(call, 'args');
    const index = queryTextArgument(base, args.length);
    if (index === undefined) return;
    const where = `the SQL text run by ${base}()`;
    const text = stringValue(args[index]);
    const parsed = text === undefined ? undefined : parseSql(text);
    if (parsed === undefined || !parsed.ok) {
      this.leak('every masked column', `${where} (not a string literal the gateway can read)`);
      return;
    }
    for (const statement of parsed.statements) this.inner(statement.node, undefined, 'nested', where);
  }

  /** Scope for statements that are not queries: every relation they name. */
  tablesOf(value: unknown, scope: Scope): Scope {
    if (Array.isArray(value)) for (const item of value) this.tablesOf(item, scope);
    else if (isAstObject(value)) {
      if (typeof value.relname === 'string') scope.relations.push(this.rangeVar(value));
      for (const key in value) this.tablesOf(value[key], scope);
    }
    return scope;
  }

  leak(column: string, place: string): void {
    this.touches = true;
    if (!this.leaks.some((leak) => leak.column === column && leak.place === place)) this.leaks.push({ column, place });
  }
}

/**
 * Catalogs holding the planner's statistics: most common values and histogram
 * bounds are values copied from the columns, readable by the target credential.
 */
const STATISTICS_CATALOGS: ReadonlySet<string> = new Set(['pg_statistic', 'pg_stats', 'pg_statistic_ext_data', 'pg_stats_ext', 'pg_stats_ext_exprs']);

function isStar(value: unknown): boolean {
  const ref = unwrap(value, 'ColumnRef');
  return ref !== undefined && listField(ref, 'fields').some((field) => unwrap(field, 'A_Star') !== undefined);
}

/** A relation whose columns were renamed by an alias list (`AS x(a, b)`) hides which output is which. */
function renamed(alias: AstObject | undefined, names: SensitiveNames): SensitiveNames {
  return alias !== undefined && listField(alias, 'colnames').length > 0 && hasSensitive(names) ? 'all' : names;
}
