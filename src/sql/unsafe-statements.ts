/**
 * Statements in the `unsafe` class, each with the reason a contractor reads:
 * what no ordinary grant allows, because it reaches past the database's data
 * (the server's shell and files, other servers, server-wide configuration,
 * code loaded into the server), and code Stint cannot see into.
 */
import { defElems, flagField, listField, optionIsOn, stringField, stringValue, type AstObject } from './ast-node.ts';
import { TRUSTED_LANGUAGES } from './sql-objects.ts';
import { settingUnsafeReason } from './sql-settings.ts';
import type { OpaqueCode } from './sql-types.ts';

const FOREIGN_DATA = 'reaches data outside this database through a foreign data wrapper';

/** Statements unsafe whatever their options, with why. */
const ALWAYS_UNSAFE: Readonly<Record<string, string>> = {
  LoadStmt: 'LOAD loads a library into the database server process',
  CreateExtensionStmt: 'CREATE EXTENSION installs server-side code, which may reach files, the shell or other servers',
  AlterExtensionStmt: 'ALTER EXTENSION runs an extension\'s installation scripts',
  AlterSystemStmt: 'ALTER SYSTEM changes the configuration of the whole database server',
  CreatePLangStmt: 'CREATE LANGUAGE installs a procedural language handler into the database server',
  CreateFdwStmt: `CREATE FOREIGN DATA WRAPPER ${FOREIGN_DATA}`,
  AlterFdwStmt: `ALTER FOREIGN DATA WRAPPER ${FOREIGN_DATA}`,
  CreateForeignServerStmt: `CREATE SERVER ${FOREIGN_DATA}`,
  AlterForeignServerStmt: `ALTER SERVER ${FOREIGN_DATA}`,
  CreateUserMappingStmt: 'CREATE USER MAPPING stores credentials for another server',
  AlterUserMappingStmt: 'ALTER USER MAPPING changes credentials for another server',
  CreateForeignTableStmt: `CREATE FOREIGN TABLE ${FOREIGN_DATA} (another server, or a file or program through file_fdw)`,
  ImportForeignSchemaStmt: `IMPORT FOREIGN SCHEMA ${FOREIGN_DATA}`,
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION connects to another database server',
  AlterSubscriptionStmt: 'ALTER SUBSCRIPTION connects to another database server',
};

function language(options: readonly unknown[], fallback: string | undefined): string | undefined {
  const option = defElems(options).find((def) => def.name === 'language');
  return (option === undefined ? undefined : stringValue(option.arg)?.toLowerCase()) ?? fallback;
}

function untrusted(lang: string | undefined): boolean {
  return lang === undefined || !TRUSTED_LANGUAGES.has(lang);
}

/** SECURITY DEFINER among function options (CREATE) or actions (ALTER); any spelling not clearly off counts. */
function securityDefiner(options: readonly unknown[]): boolean {
  return defElems(options).some((def) => def.name === 'security' && optionIsOn(def.arg));
}

function copyReason(node: AstObject): string | undefined {
  if (flagField(node, 'is_program')) return 'COPY ... PROGRAM runs a shell command on the database server';
  if (stringField(node, 'filename') === undefined) return undefined;
  return flagField(node, 'is_from')
    ? 'COPY ... FROM a file reads a file on the database server'
    : 'COPY ... TO a file writes a file on the database server';
}

/** Why the statement itself (not what is nested in it) is unsafe, or undefined. */
export function statementUnsafeReason(type: string, node: AstObject): string | undefined {
  const fixed = Object.hasOwn(ALWAYS_UNSAFE, type) ? ALWAYS_UNSAFE[type] : undefined;
  if (fixed !== undefined) return fixed;
  switch (type) {
    case 'CopyStmt':
      return copyReason(node);
    case 'DoStmt': {
      const lang = language(listField(node, 'args'), 'plpgsql');
      return untrusted(lang) ? `DO in language ${lang ?? '(unknown)'} runs code as the database server's operating-system user` : undefined;
    }
    case 'CreateFunctionStmt': {
      const lang = language(listField(node, 'options'), node.sql_body === undefined ? undefined : 'sql');
      const what = flagField(node, 'is_procedure') ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
      return untrusted(lang) ? `${what} in language ${lang ?? '(unknown)'} runs code as the database server's operating-system user` : undefined;
    }
    case 'AlterTableStmt':
      // ALTER FOREIGN TABLE ... OPTIONS can point a file_fdw table at any server file.
      return stringField(node, 'objtype') === 'OBJECT_FOREIGN_TABLE' ? `ALTER FOREIGN TABLE ${FOREIGN_DATA}` : undefined;
    case 'VariableSetStmt':
      return settingUnsafeReason(stringField(node, 'name'), 'set');
    default:
      return undefined;
  }
}

/** Code the classifier cannot see into, that a role holding ddl or admin may still run. */
export function statementOpaqueCode(type: string, node: AstObject): { readonly code: OpaqueCode; readonly reason: string } | undefined {
  switch (type) {
    case 'DoStmt':
      return { code: 'do', reason: 'DO runs a block of procedural code whose statements the gateway cannot inspect' };
    case 'CreateFunctionStmt':
      return securityDefiner(listField(node, 'options'))
        ? { code: 'security_definer', reason: 'a SECURITY DEFINER function runs with its owner\'s rights for whoever calls it' }
        : undefined;
    case 'AlterFunctionStmt':
      return securityDefiner(listField(node, 'actions'))
        ? { code: 'security_definer', reason: 'a SECURITY DEFINER function runs with its owner\'s rights for whoever calls it' }
        : undefined;
    default:
      return undefined;
  }
}
