/**
 * Walks one statement's whole tree — every node, every nested list — and
 * collects what it needs: the highest class found anywhere, the tables read
 * and written, the functions called, and a prepared statement it runs.
 * Looking only at the top node would miss a DELETE inside a CTE inside a
 * subquery; walking everything generically cannot.
 */
import { BARE_FIELD_TYPES, WRITE_TARGETS } from './ast-fields.ts';
import {
  explainAnalyzes,
  flagField,
  isAstObject,
  listField,
  rangeVarName,
  stringField,
  stringItems,
  stringValue,
  structField,
  unwrap,
  wrappedNodeType,
  type AstObject,
} from './ast-node.ts';
import { NameCollector } from './name-collector.ts';
import { baseFunctionName, functionClass } from './sql-functions.ts';
import { RELATION_OBJECT_TYPES } from './sql-objects.ts';
import { settingClass } from './sql-settings.ts';
import { maxClass, type StatementClass } from './sql-types.ts';
import { kindClass, statementKind } from './statement-kinds.ts';

/**
 * Deepest node nesting walked. A subquery level adds two, each operator in a
 * chain like `a + b + c` one, so real statements stay far below. The limit
 * turns an absurd tree into a clear refusal (the caller fails closed) instead
 * of a stack overflow whose depth depends on the runtime and the caller.
 */
export const MAX_NODE_DEPTH = 1000;

const DATA_CHANGING: ReadonlySet<string> = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export interface StatementFacts {
  readonly class: StatementClass;
  readonly tablesRead: readonly string[];
  readonly tablesWritten: readonly string[];
  readonly functions: readonly string[];
  readonly executes: string | undefined;
  /** A SELECT ... INTO was found (reported as command SELECT INTO). */
  readonly selectsInto: boolean;
  readonly deleteWithoutWhere: boolean;
  readonly updateWithoutWhere: boolean;
  readonly truncates: boolean;
}

export class StatementWalker {
  #class: StatementClass = 'read';
  readonly #read = new NameCollector();
  readonly #written = new NameCollector();
  readonly #functions = new NameCollector();
  #executes: string | undefined;
  #selectsInto = false;
  #deleteWithoutWhere = false;
  #updateWithoutWhere = false;
  #truncates = false;
  /** False inside a plain EXPLAIN: the statement is planned, never run. */
  #executing = true;
  /** CTE names visible at the current point of the walk, innermost last. */
  readonly #ctes: string[] = [];
  #depth = 0;

  /** Walk a top-level statement node (`type` is its node type, `body` its fields). */
  walk(type: string, body: AstObject): StatementFacts {
    this.#visitNode(type, body, '', '');
    return {
      class: this.#class,
      tablesRead: this.#read.names(),
      tablesWritten: this.#written.names(),
      functions: this.#functions.names(),
      executes: this.#executes,
      selectsInto: this.#selectsInto,
      deleteWithoutWhere: this.#deleteWithoutWhere,
      updateWithoutWhere: this.#updateWithoutWhere,
      truncates: this.#truncates,
    };
  }

  #raise(cls: StatementClass): void {
    if (this.#executing) this.#class = maxClass(this.#class, cls);
  }

  #visit(value: unknown, parentType: string, field: string): void {
    if (Array.isArray(value)) {
      for (const item of value) this.#visit(item, parentType, field);
      return;
    }
    if (!isAstObject(value)) return;
    const wrapped = wrappedNodeType(value);
    if (wrapped !== undefined) {
      this.#visitNode(wrapped, value[wrapped] as AstObject, parentType, field);
      return;
    }
    const key = `${parentType}.${field}`;
    const bare = BARE_FIELD_TYPES.get(key) ?? (typeof value.relname === 'string' ? 'RangeVar' : undefined);
    // An unknown struct keeps its position as a pseudo type so nothing under it is lost.
    if (bare === undefined) this.#walkFields(key, value);
    else this.#visitNode(bare, value, parentType, field);
  }

  #walkFields(type: string, body: AstObject, skip?: string): void {
    for (const field in body) {
      if (field !== skip) this.#visit(body[field], type, field);
    }
  }

  #visitNode(type: string, body: AstObject, parentType: string, field: string): void {
    // No finally needed: a throw abandons this walker, which serves one statement.
    if (++this.#depth > MAX_NODE_DEPTH) throw new Error(`the statement nests deeper than ${MAX_NODE_DEPTH} levels`);
    this.#visitNodeOfType(type, body, parentType, field);
    this.#depth--;
  }

  #visitNodeOfType(type: string, body: AstObject, parentType: string, field: string): void {
    switch (type) {
      case 'RangeVar':
        this.#rangeVar(body, WRITE_TARGETS.has(`${parentType}.${field}`));
        return;
      case 'FuncCall':
        this.#funcCall(body);
        this.#walkFields(type, body);
        return;
      case 'IntoClause':
        this.#raise('write');
        if (this.#executing) this.#selectsInto = true;
        this.#walkFields(type, body);
        return;
      case 'SelectStmt':
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        this.#query(type, body);
        return;
      case 'ExplainStmt':
        this.#explain(body);
        return;
      case 'CopyStmt':
        this.#copy(body);
        return;
      case 'ExecuteStmt':
        if (this.#executing) this.#executes ??= stringField(body, 'name');
        break;
      case 'DropStmt':
        this.#drop(body);
        break;
      case 'TruncateStmt':
        if (this.#executing) this.#truncates = true;
        break;
      default:
        break;
    }
    this.#statementClass(type, body);
    this.#walkFields(type, body);
  }

  /** A statement node anywhere in the tree adds its own class; an unknown one is admin. */
  #statementClass(type: string, body: AstObject): void {
    const kind = statementKind(type);
    if (kind !== undefined) this.#raise(kindClass(kind, body));
    else if (type.endsWith('Stmt')) this.#raise('admin');
  }

  #rangeVar(body: AstObject, written: boolean): void {
    const name = rangeVarName(body);
    if (name === undefined) return;
    const location = typeof body.location === 'number' ? body.location : undefined;
    // Nothing runs inside a plain EXPLAIN, so even a target is only looked at.
    if (written && this.#executing) {
      this.#written.add(name, location);
      return;
    }
    // An unqualified name matching a CTE in scope is that CTE, not a table.
    if (name === body.relname && this.#ctes.includes(name)) return;
    this.#read.add(name, location);
  }

  #funcCall(body: AstObject): void {
    const parts = stringItems(listField(body, 'funcname')).map((part) => part.toLowerCase());
    // SQL syntax like EXTRACT(...) or x AT TIME ZONE y is rewritten to pg_catalog.*; report it as written.
    if (stringField(body, 'funcformat') === 'COERCE_SQL_SYNTAX' && parts.length > 1 && parts[0] === 'pg_catalog') parts.shift();
    const name = parts.join('.');
    if (name === '') return;
    this.#functions.add(name, typeof body.location === 'number' ? body.location : undefined);
    if (baseFunctionName(name) === 'set_config') {
      // A setting name that is not a literal could be anything, including role.
      const setting = stringValue(listField(body, 'args')[0]);
      this.#raise(setting === undefined ? 'admin' : settingClass(setting));
    } else {
      this.#raise(functionClass(name));
    }
  }

  /** Queries and data changes: locking, CTE scope, then everything else. */
  #query(type: string, body: AstObject): void {
    if (DATA_CHANGING.has(type)) this.#raise('write');
    // Only what runs counts: a plain EXPLAIN of a DELETE without WHERE deletes nothing.
    if (this.#executing && body.whereClause === undefined) {
      if (type === 'DeleteStmt') this.#deleteWithoutWhere = true;
      if (type === 'UpdateStmt') this.#updateWithoutWhere = true;
    }
    // FOR UPDATE / FOR SHARE take row locks, which only writers need.
    if (type === 'SelectStmt' && listField(body, 'lockingClause').length > 0) this.#raise('write');
    const mark = this.#ctes.length;
    const withClause = structField(body, 'withClause', 'WithClause');
    if (withClause !== undefined) this.#withClause(withClause);
    this.#walkFields(type, body, 'withClause');
    this.#ctes.length = mark;
  }

  /**
   * Brings the CTE names into scope for the rest of the statement. Without
   * RECURSIVE, a CTE body sees only the CTEs before it, so a same-named real
   * table inside it is still reported.
   */
  #withClause(withClause: AstObject): void {
    const ctes = listField(withClause, 'ctes');
    const names = ctes.map((cte) => stringField(unwrap(cte, 'CommonTableExpr') ?? {}, 'ctename'));
    const recursive = flagField(withClause, 'recursive');
    if (recursive) for (const name of names) if (name !== undefined) this.#ctes.push(name);
    ctes.forEach((cte, index) => {
      this.#visit(cte, 'WithClause', 'ctes');
      const name = names[index];
      if (!recursive && name !== undefined) this.#ctes.push(name);
    });
  }

  /** EXPLAIN ANALYZE runs its statement; plain EXPLAIN only plans it. */
  #explain(body: AstObject): void {
    const outer = this.#executing;
    this.#executing = outer && explainAnalyzes(body);
    this.#walkFields('ExplainStmt', body);
    this.#executing = outer;
  }

  #copy(body: AstObject): void {
    this.#statementClass('CopyStmt', body);
    const relation = structField(body, 'relation', 'RangeVar');
    if (relation !== undefined) this.#rangeVar(relation, flagField(body, 'is_from'));
    this.#walkFields('CopyStmt', body, 'relation');
  }

  /** DROP names its relations as plain name lists, not RangeVars. */
  #drop(body: AstObject): void {
    if (!RELATION_OBJECT_TYPES.has(stringField(body, 'removeType') ?? '')) return;
    for (const object of listField(body, 'objects')) {
      const name = stringItems(listField(unwrap(object, 'List') ?? {}, 'items')).join('.');
      if (name !== '') this.#written.add(name, undefined);
    }
  }
}
