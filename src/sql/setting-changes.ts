/**
 * The run-time settings a statement changes, as facts for session guardrails
 * (statement_timeout, read-only transactions): which names, which literal
 * values, and whether a transaction is switched to READ WRITE. The class of a
 * change is decided elsewhere (sql-settings.ts); this only reports.
 */
import { defElems, listField, objectField, stringField, stringValue, unwrap, type AstObject } from './ast-node.ts';
import type { SettingChange } from './sql-types.ts';

/** Settings that make transactions read-only; changing them to anything but on opens writing. */
const READ_ONLY_SETTINGS: ReadonlySet<string> = new Set(['transaction_read_only', 'default_transaction_read_only']);

/** Spellings PostgreSQL's parse_bool accepts for true (prefixes included). */
const TRUE_WORDS: ReadonlySet<string> = new Set(['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1']);

/** Transaction options that are booleans in the parse tree (READ ONLY, DEFERRABLE), reported as on/off. */
const BOOLEAN_TRANSACTION_OPTIONS: ReadonlySet<string> = new Set(['transaction_read_only', 'transaction_deferrable']);

/**
 * The text of a constant as PostgreSQL would read it: strings as written,
 * numbers in their literal spelling, booleans as true/false. Anything else
 * (an expression, a parameter, a cast) has no literal text.
 */
export function literalText(node: unknown): string | undefined {
  const constant = unwrap(node, 'A_Const');
  if (constant === undefined) return undefined;
  if (constant.isnull === true) return undefined;
  const sval = objectField(constant, 'sval');
  if (sval !== undefined) return typeof sval.sval === 'string' ? sval.sval : '';
  const ival = objectField(constant, 'ival');
  // Fields equal to their default are omitted: `ival: {}` is 0.
  if (ival !== undefined) return typeof ival.ival === 'number' ? String(ival.ival) : '0';
  const fval = objectField(constant, 'fval');
  if (fval !== undefined) return typeof fval.fval === 'string' ? fval.fval : undefined;
  const boolval = objectField(constant, 'boolval');
  if (boolval !== undefined) return boolval.boolval === true ? 'true' : 'false';
  const bsval = objectField(constant, 'bsval');
  if (bsval !== undefined) return typeof bsval.bsval === 'string' ? bsval.bsval : undefined;
  return undefined;
}

/** Whether a literal setting value clearly means on. */
function meansOn(value: string | undefined): boolean {
  return value !== undefined && TRUE_WORDS.has(value.trim().toLowerCase());
}

/** Whether this change could leave transactions able to write. */
export function opensReadWrite(change: SettingChange): boolean {
  // RESET ALL, or a set_config of a name only known at run time, may reset or clear a read-only setting.
  if (change.name === undefined) return true;
  return READ_ONLY_SETTINGS.has(change.name) && !meansOn(change.value);
}

/** Transaction options (`BEGIN READ WRITE`, `SET TRANSACTION ...`): whether any asks for READ WRITE. */
export function optionsReadWrite(options: readonly unknown[]): boolean {
  return defElems(options).some((option) => option.name === 'transaction_read_only' && literalText(option.arg) === '0');
}

/** What one SET / RESET statement (a VariableSetStmt body) changes; empty when nothing (none such exists today). */
export function variableSetChanges(node: AstObject): SettingChange[] {
  const kind = stringField(node, 'kind');
  const name = stringField(node, 'name')?.toLowerCase();
  const local = node.is_local === true ? ({ local: true } as const) : {};
  switch (kind) {
    case 'VAR_SET_VALUE': {
      const args = listField(node, 'args');
      const texts = args.map(literalText);
      const value = texts.length > 0 && texts.every((text) => text !== undefined) ? texts.join(', ') : undefined;
      return [{ name, ...(value === undefined ? {} : { value }), ...local, via: 'set' }];
    }
    case 'VAR_SET_DEFAULT':
      return [{ name, reset: true, ...local, via: 'set' }];
    case 'VAR_SET_CURRENT':
      // SET x FROM CURRENT (function options only): a value, but not a literal one.
      return [{ name, ...local, via: 'set' }];
    case 'VAR_RESET':
      return [{ name, reset: true, via: 'reset' }];
    case 'VAR_RESET_ALL':
      return [{ name: undefined, reset: true, via: 'reset' }];
    case 'VAR_SET_MULTI':
      return multiChanges(name, listField(node, 'args'), local);
    default:
      // An unknown kind still changes something: report the name with no value.
      return [{ name, ...local, via: 'set' }];
  }
}

/**
 * SET TRANSACTION sets transaction_* for this transaction; SET SESSION
 * CHARACTERISTICS AS TRANSACTION sets default_transaction_* for the session.
 */
function multiChanges(name: string | undefined, args: readonly unknown[], local: { local?: true }): SettingChange[] {
  const session = name === 'session characteristics';
  const prefix = session ? 'default_' : '';
  const options = defElems(args);
  if (name !== 'transaction' && !session) return [{ name, ...local, via: 'set' }];
  return options.map((option): SettingChange => {
    const literal = literalText(option.arg);
    const value = BOOLEAN_TRANSACTION_OPTIONS.has(option.name) && literal !== undefined ? (literal === '0' ? 'off' : 'on') : literal;
    return { name: `${prefix}${option.name}`, ...(value === undefined ? {} : { value }), ...(session ? local : { local: true }), via: 'set' };
  });
}

/** What a set_config(name, value, is_local) call changes, from its arguments. */
export function setConfigChange(args: readonly unknown[]): SettingChange {
  // The name must be a string literal: anything else (a parameter, an expression) could name any setting.
  const name = stringValue(args[0]);
  const value = literalText(args[1]);
  return {
    name: name?.toLowerCase(),
    ...(value === undefined ? {} : { value }),
    // Only a literal true makes the change transaction-local; anything else may outlive it.
    ...(meansOn(literalText(args[2])) ? { local: true } : {}),
    via: 'set_config',
  };
}
