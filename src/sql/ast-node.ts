/**
 * Small readers over libpg-query's JSON AST. The walker treats the tree
 * generically, so these accept `unknown` and narrow instead of trusting a
 * particular parser version's types.
 *
 * Shape notes: most nodes are wrapped as `{ TypeName: body }`, but fields
 * typed as a concrete struct (e.g. `InsertStmt.relation`, `SelectStmt.larg`)
 * hold the bare body. Fields equal to their protobuf default (false, 0, '')
 * are omitted.
 */

export type AstObject = Readonly<Record<string, unknown>>;

/**
 * The key under which a tracked node (see literal-tracking.ts) hands out its
 * untracked self. The walker's generic descent reads through it, so only
 * reads that interpret a value count as depending on it.
 */
export const RAW_NODE: unique symbol = Symbol('stint.rawAstNode');

/** The node itself, untracked; a plain node is returned as it is. */
export function rawNode<T extends object>(value: T): T {
  return ((value as { [RAW_NODE]?: T })[RAW_NODE] ?? value);
}

export function isAstObject(value: unknown): value is AstObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The node type of a wrapped node (`{ RangeVar: {...} }`), or undefined for a bare struct. */
export function wrappedNodeType(value: AstObject): string | undefined {
  let only: string | undefined;
  for (const key in value) {
    if (only !== undefined) return undefined;
    only = key;
  }
  if (only === undefined) return undefined;
  const first = only.charCodeAt(0);
  // Node type names start with an upper-case letter; struct fields never do.
  if (first < 65 || first > 90) return undefined;
  return isAstObject(value[only]) ? only : undefined;
}

export function objectField(node: AstObject, key: string): AstObject | undefined {
  const value = node[key];
  return isAstObject(value) ? value : undefined;
}

export function listField(node: AstObject, key: string): readonly unknown[] {
  const value = node[key];
  return Array.isArray(value) ? value : [];
}

export function stringField(node: AstObject, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

export function flagField(node: AstObject, key: string): boolean {
  return node[key] === true;
}

/** The body of a wrapped node when it has the expected type. */
export function unwrap(value: unknown, type: string): AstObject | undefined {
  return isAstObject(value) ? objectField(value, type) : undefined;
}

/**
 * A struct field the parser emits bare (`relation: {relname}`), also accepted
 * wrapped (`relation: {RangeVar: {...}}`) so a change of shape between parser
 * versions cannot make the walker skip it.
 */
export function structField(node: AstObject, key: string, type: string): AstObject | undefined {
  const value = objectField(node, key);
  return value === undefined ? undefined : (objectField(value, type) ?? value);
}

/** `[{String: {sval}}...]` → the strings, as the parser normalised them. */
export function stringItems(items: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    const sval = unwrap(item, 'String')?.sval;
    if (typeof sval === 'string') out.push(sval);
  }
  return out;
}

/** A RangeVar's name, qualified as far as it was written. */
export function rangeVarName(rangeVar: AstObject): string | undefined {
  const relname = stringField(rangeVar, 'relname');
  if (relname === undefined) return undefined;
  const parts = [stringField(rangeVar, 'catalogname'), stringField(rangeVar, 'schemaname'), relname];
  return parts.filter((part): part is string => part !== undefined && part !== '').join('.');
}

export interface DefElemView {
  readonly name: string;
  readonly arg: unknown;
}

/** `[{DefElem: {defname, arg}}...]` → name/argument pairs (option lists of EXPLAIN, DO, CREATE FUNCTION...). */
export function defElems(items: readonly unknown[]): DefElemView[] {
  const out: DefElemView[] = [];
  for (const item of items) {
    const def = unwrap(item, 'DefElem');
    const name = def === undefined ? undefined : stringField(def, 'defname');
    if (def !== undefined && name !== undefined) out.push({ name, arg: def.arg });
  }
  return out;
}

/** The string value of an option argument (`String` or a string `A_Const`). */
export function stringValue(arg: unknown): string | undefined {
  const plain = unwrap(arg, 'String')?.sval;
  if (typeof plain === 'string') return plain;
  const constant = unwrap(arg, 'A_Const');
  const sval = constant === undefined ? undefined : objectField(constant, 'sval')?.sval;
  return typeof sval === 'string' ? sval : undefined;
}

// Spellings PostgreSQL's parse_bool accepts for false (prefixes of false/off/no included).
const FALSE_WORDS = new Set(['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0']);

/**
 * Whether a boolean option (`EXPLAIN (ANALYZE x)`) is switched on. Absent
 * argument means on. Anything not clearly false counts as on, so an odd
 * spelling can only make a statement look more privileged, never less.
 */
export function optionIsOn(arg: unknown): boolean {
  if (arg === undefined) return true;
  const text = stringValue(arg);
  if (text !== undefined) return !FALSE_WORDS.has(text.toLowerCase());
  const integer = unwrap(arg, 'Integer');
  if (integer !== undefined) return integer.ival !== undefined && integer.ival !== 0;
  const boolean = unwrap(arg, 'Boolean');
  if (boolean !== undefined) return boolean.boolval === true;
  return true;
}

/** Whether an EXPLAIN statement executes its query (ANALYZE on). */
export function explainAnalyzes(explain: AstObject): boolean {
  // Any mention that is on counts, whichever one PostgreSQL would honour.
  return defElems(listField(explain, 'options')).some(
    (option) => option.name.toLowerCase() === 'analyze' && optionIsOn(option.arg),
  );
}
