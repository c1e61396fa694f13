/**
 * Walks one statement's whole tree — every node, every nested list — and
 * collects what it needs: the highest class found anywhere, the tables read
 * and written, the functions called, and a prepared statement it runs.
 * Looking only at the top node would miss a DELETE inside a CTE inside a
 * subquery; walking everything generically cannot.
 */
import { BARE_FIELD_TYPES, WRITE_TARGETS } from './ast-fields.ts';
import {
  defElems,
  explainAnalyzes,
  flagField,
  isAstObject,
  listField,
  rangeVarName,
  rawNode,
  stringField,
  stringItems,
  stringValue,
  structField,
  unwrap,
  wrappedNodeType,
  type AstObject,
} from './ast-node.ts';
import { NameCollector } from './name-collector.ts';
import { setConfigChange, opensReadWrite, optionsReadWrite, variableSetChanges } from './setting-changes.ts';
import { baseFunctionName, functionClass, functionUnsafeReason, queryTextArgument } from './sql-functions.ts';
import { RELATION_OBJECT_TYPES } from './sql-objects.ts';
import { parseSql } from './sql-parser.ts';
import { settingClass, settingUnsafeReason } from './sql-settings.ts';
import { maxClass, type OpaqueCode, type SettingChange, type StatementClass } from './sql-types.ts';
import { kindClass, statementKind } from './statement-kinds.ts';
import { statementOpaqueCode, statementUnsafeReason } from './unsafe-statements.ts';

/**
 * Deepest node nesting walked. A subquery level adds two, each operator in a
 * chain like `a + b + c` one, so real statements stay far below. The limit
 * turns an absurd tree into a clear refusal (the caller fails closed) instead
 * of a stack overflow whose depth depends on the runtime and the caller.
 */
export const MAX_NODE_DEPTH = 1000;

const DATA_CHANGING: ReadonlySet<string> = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** pg_catalog.pg_settings, written unqualified (pg_catalog comes first unless moved) or qualified. */
function isSettingsView(rangeVar: AstObject): boolean {
  if (stringField(rangeVar, 'relname') !== 'pg_settings') return false;
  const schema = stringField(rangeVar, 'schemaname');
  return schema === undefined || schema === 'pg_catalog';
}

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
  readonly settings: readonly SettingChange[];
  readonly setsReadWrite: boolean;
  /** Why the statement is unsafe; empty unless its class is unsafe. */
  readonly unsafeReasons: readonly string[];
  /** Set when opaque code is the only thing making the statement unsafe. */
  readonly opaqueCode: OpaqueCode | undefined;
}

/** Statements that hold a SET of another scope (a role, a database, the server, a function), not this session's. */
const FOREIGN_SET_PARENTS: ReadonlySet<string> = new Set(['AlterRoleSetStmt', 'AlterDatabaseSetStmt', 'AlterSystemStmt', 'DefElem']);

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
  readonly #settings: SettingChange[] = [];
  #setsReadWrite = false;
  readonly #unsafeReasons: string[] = [];
  readonly #opaque: { readonly code: OpaqueCode; readonly reason: string }[] = [];
  /** False inside a plain EXPLAIN: the statement is planned, never run. */
  #executing = true;
  /** CTE names visible at the current point of the walk, innermost last. */
  readonly #ctes: string[] = [];
  #depth = 0;

  /** Walk a top-level statement node (`type` is its node type, `body` its fields). */
  walk(type: string, body: AstObject): StatementFacts {
    this.#visitNode(type, body, '', '');
    const hard = this.#unsafeReasons.length > 0;
    const opaque = this.#opaque.length > 0;
    // Opaque code alone leaves a way in for roles holding ddl or admin; anything else unsafe closes it.
    const opaqueCode = hard || !opaque ? undefined : this.#opaque.some((o) => o.code === 'security_definer') ? 'security_definer' : 'do';
    return {
      class: hard || opaque ? 'unsafe' : this.#class,
      tablesRead: this.#read.names(),
      tablesWritten: this.#written.names(),
      functions: this.#functions.names(),
      executes: this.#executes,
      selectsInto: this.#selectsInto,
      deleteWithoutWhere: this.#deleteWithoutWhere,
      updateWithoutWhere: this.#updateWithoutWhere,
      truncates: this.#truncates,
      settings: this.#settings,
      setsReadWrite: this.#setsReadWrite,
      unsafeReasons: [...this.#unsafeReasons, ...this.#opaque.map((o) => o.reason).filter((r) => !this.#unsafeReasons.includes(r))],
      opaqueCode,
    };
  }

  /** Record why the statement is unsafe; the class follows from the reasons. */
  #unsafe(reason: string): void {
    if (this.#executing && !this.#unsafeReasons.includes(reason)) this.#unsafeReasons.push(reason);
  }

  /**
   * UPDATE pg_settings runs set_config() through the view's rule: any setting,
   * the role included, named by a WHERE clause the gateway does not evaluate.
   */
  #settingsViewChange(): void {
    this.#setting({ name: undefined, via: 'set_config' });
    this.#unsafe('changing pg_settings runs set_config() for the settings it matches, which may include the role');
  }

  #setting(change: SettingChange): void {
    if (!this.#executing) return;
    this.#settings.push(change);
    if (opensReadWrite(change)) this.#setsReadWrite = true;
  }

  #raise(cls: StatementClass): void {
    // Unsafe is never raised bare: every path to it records a reason (see #unsafe).
    if (cls === 'unsafe') throw new Error('unsafe class raised without a reason');
    if (this.#executing) this.#class = maxClass(this.#class, cls);
  }

  /**
   * The generic descent reads nodes raw (see RAW_NODE): passing over a value
   * is not depending on it. Node types and field names do not depend on
   * literal values, only the values do, and those are read by what interprets them.
   */
  #visit(value: unknown, parentType: string, field: string): void {
    if (Array.isArray(value)) {
      for (const item of rawNode(value)) this.#visit(item, parentType, field);
      return;
    }
    if (!isAstObject(value)) return;
    const raw = rawNode(value);
    const wrapped = wrappedNodeType(raw);
    if (wrapped !== undefined) {
      this.#visitNode(wrapped, raw[wrapped] as AstObject, parentType, field);
      return;
    }
    const key = `${parentType}.${field}`;
    const bare = BARE_FIELD_TYPES.get(key) ?? (typeof value.relname === 'string' ? 'RangeVar' : undefined);
    // An unknown struct keeps its position as a pseudo type so nothing under it is lost.
    if (bare === undefined) this.#walkFields(key, value);
    else this.#visitNode(bare, value, parentType, field);
  }

  #walkFields(type: string, body: AstObject, skip?: string): void {
    const raw = rawNode(body);
    for (const field in raw) {
      if (field !== skip) this.#visit(raw[field], type, field);
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
        if (DATA_CHANGING.has(parentType) && field === 'relation' && isSettingsView(body)) this.#settingsViewChange();
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
      case 'VariableSetStmt':
        // ALTER ROLE/DATABASE/SYSTEM ... SET and a function's SET clause change other scopes, not this session.
        if (!FOREIGN_SET_PARENTS.has(parentType)) for (const change of variableSetChanges(body)) this.#setting(change);
        if (stringField(body, 'kind') === 'VAR_SET_MULTI' && optionsReadWrite(listField(body, 'args')) && this.#executing) this.#setsReadWrite = true;
        break;
      case 'TransactionStmt':
        if (optionsReadWrite(listField(body, 'options')) && this.#executing) this.#setsReadWrite = true;
        break;
      case 'CreateFunctionStmt':
        this.#functionBody(body);
        break;
      default:
        break;
    }
    this.#statementClass(type, body);
    this.#walkFields(type, body);
  }

  /** A statement node anywhere in the tree adds its own class; an unknown one is unsafe (fail closed). */
  #statementClass(type: string, body: AstObject): void {
    const kind = statementKind(type);
    if (kind === undefined) {
      if (type.endsWith('Stmt')) this.#unsafe(`the statement type ${type} is not one Stint recognises`);
      return;
    }
    const unsafe = statementUnsafeReason(type, body);
    if (unsafe !== undefined) this.#unsafe(unsafe);
    const opaque = statementOpaqueCode(type, body);
    if (opaque !== undefined && this.#executing) this.#opaque.push(opaque);
    const cls = kindClass(kind, body);
    // The table's own class for an unsafe statement is what it would be without its unsafe part.
    if (cls === 'unsafe') this.#unsafe(unsafe ?? `the statement type ${type} is not available through the gateway`);
    else this.#raise(cls);
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
    const base = baseFunctionName(name);
    const args = listField(body, 'args');
    if (base === 'set_config') {
      const change = setConfigChange(args);
      this.#setting(change);
      // A setting name that is not a literal could be anything, including role.
      const unsafe = settingUnsafeReason(change.name, 'set_config');
      if (unsafe !== undefined) this.#unsafe(unsafe);
      else this.#raise(settingClass(change.name));
      return;
    }
    const queryText = queryTextArgument(base, args.length);
    if (queryText !== undefined) {
      this.#queryText(base, args[queryText]);
      return;
    }
    const unsafe = functionUnsafeReason(name);
    if (unsafe !== undefined) this.#unsafe(unsafe);
    else this.#raise(functionClass(name));
  }

  /**
   * A function that runs SQL given as text: a string literal is classified as
   * if it were written here (its tables, calls and class count); anything else
   * could be any statement.
   */
  #queryText(name: string, arg: unknown): void {
    const text = stringValue(arg);
    if (text === undefined || !this.#nestedSql(text)) {
      this.#unsafe(`${name}() runs SQL text that is not a string literal the gateway can read`);
    }
  }

  /**
   * Walks SQL held in a string (a query-text argument, an SQL function body)
   * as part of this statement. False when it does not parse: the caller decides
   * what that means.
   */
  #nestedSql(text: string): boolean {
    const parsed = parseSql(text);
    if (!parsed.ok) return false;
    for (const statement of parsed.statements) this.#visit(statement.node, 'NestedSql', 'stmts');
    return true;
  }

  /**
   * An SQL-language body written as a string (`AS $$ ... $$`) runs whenever
   * the function is called, so it is classified like a BEGIN ATOMIC body.
   * Bodies in other languages stay opaque (see the DO and SECURITY DEFINER
   * rules); a body that does not parse cannot be created with body checks on.
   */
  #functionBody(body: AstObject): void {
    const options = defElems(listField(body, 'options'));
    const language = options.find((option) => option.name === 'language');
    if (language === undefined || stringValue(language.arg)?.toLowerCase() !== 'sql') return;
    const as = options.find((option) => option.name === 'as');
    const items = as === undefined ? [] : stringItems(listField(unwrap(as.arg, 'List') ?? {}, 'items'));
    if (items.length === 1) this.#nestedSql(items[0]!);
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
