/**
 * One row per PostgreSQL statement node type: the class the statement itself
 * needs and the command name it is reported under. Anything the walker finds
 * inside (a data-modifying CTE, a function call, a COPY target) can only raise
 * the class further. A node type missing here is admin (fail closed).
 */
import { defElems, explainAnalyzes, flagField, listField, stringField, stringValue, type AstObject } from './ast-node.ts';
import { ADMIN_OBJECT_TYPES, TRUSTED_LANGUAGES, objectWords } from './sql-objects.ts';
import { settingClass } from './sql-settings.ts';
import type { StatementClass } from './sql-types.ts';

export interface StatementKind {
  readonly class: StatementClass | ((node: AstObject) => StatementClass);
  readonly command: string | ((node: AstObject) => string);
}

function languageClass(language: string | undefined): StatementClass {
  return language !== undefined && TRUSTED_LANGUAGES.has(language.toLowerCase()) ? 'ddl' : 'admin';
}

function optionString(node: AstObject, key: string, name: string): string | undefined {
  const option = defElems(listField(node, key)).find((def) => def.name === name);
  return option === undefined ? undefined : stringValue(option.arg);
}

function objectClass(objectType: string | undefined): StatementClass {
  return objectType !== undefined && ADMIN_OBJECT_TYPES.has(objectType) ? 'admin' : 'ddl';
}

const TRANSACTION_COMMANDS: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/**
 * Two-phase commit outlives the session: a prepared transaction keeps its
 * locks and changes after the session is cut, and COMMIT/ROLLBACK PREPARED act
 * on transactions other sessions left behind.
 */
const TWO_PHASE_KINDS: ReadonlySet<string> = new Set([
  'TRANS_STMT_PREPARE',
  'TRANS_STMT_COMMIT_PREPARED',
  'TRANS_STMT_ROLLBACK_PREPARED',
]);

function setCommand(node: AstObject): string {
  const kind = stringField(node, 'kind');
  const verb = kind === 'VAR_RESET' || kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET';
  switch (stringField(node, 'name')?.toLowerCase()) {
    case 'role':
      return `${verb} ROLE`;
    case 'session_authorization':
      return `${verb} SESSION AUTHORIZATION`;
    case 'transaction':
      return `${verb} TRANSACTION`;
    default:
      return verb;
  }
}

function copyClass(node: AstObject): StatementClass {
  // A file name or PROGRAM means the server's file system or shell, not the client's stream.
  if (flagField(node, 'is_program') || stringField(node, 'filename') !== undefined) return 'admin';
  return flagField(node, 'is_from') ? 'write' : 'read';
}

const fixed = (cls: StatementClass, command: string): StatementKind => ({ class: cls, command });
const grantCommand = (node: AstObject): string => (flagField(node, 'is_grant') ? 'GRANT' : 'REVOKE');
const alterObject = (key: string) => (node: AstObject): string => `ALTER ${objectWords(stringField(node, key))}`;
const objectClassOf = (key: string) => (node: AstObject): StatementClass => objectClass(stringField(node, key));

export const STATEMENT_KINDS: Readonly<Record<string, StatementKind>> = {
  // queries and data changes
  SelectStmt: fixed('read', 'SELECT'),
  InsertStmt: fixed('write', 'INSERT'),
  UpdateStmt: fixed('write', 'UPDATE'),
  DeleteStmt: fixed('write', 'DELETE'),
  MergeStmt: fixed('write', 'MERGE'),
  CopyStmt: { class: copyClass, command: 'COPY' },
  TruncateStmt: fixed('write', 'TRUNCATE'),
  LockStmt: fixed('write', 'LOCK TABLE'),
  CallStmt: fixed('write', 'CALL'),
  NotifyStmt: fixed('write', 'NOTIFY'),
  RefreshMatViewStmt: fixed('write', 'REFRESH MATERIALIZED VIEW'),
  CreateTableAsStmt: {
    // CREATE TABLE AS fills a table like SELECT INTO; a materialized view is a schema object.
    class: (node) => (stringField(node, 'objtype') === 'OBJECT_MATVIEW' ? 'ddl' : 'write'),
    command: (node) => (stringField(node, 'objtype') === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS'),
  },
  ExplainStmt: { class: 'read', command: (node) => (explainAnalyzes(node) ? 'EXPLAIN ANALYZE' : 'EXPLAIN') },
  // sessions, transactions, cursors, prepared statements
  TransactionStmt: {
    class: (node) => (TWO_PHASE_KINDS.has(stringField(node, 'kind') ?? '') ? 'admin' : 'read'),
    command: (node) => TRANSACTION_COMMANDS[stringField(node, 'kind') ?? ''] ?? 'TRANSACTION',
  },
  VariableSetStmt: { class: (node) => settingClass(stringField(node, 'name')), command: setCommand },
  VariableShowStmt: fixed('read', 'SHOW'),
  ConstraintsSetStmt: fixed('read', 'SET CONSTRAINTS'),
  // DISCARD ALL runs SET SESSION AUTHORIZATION DEFAULT, undoing a SET ROLE.
  DiscardStmt: { class: (node) => (stringField(node, 'target') === 'DISCARD_ALL' ? 'admin' : 'read'), command: 'DISCARD' },
  DeclareCursorStmt: fixed('read', 'DECLARE CURSOR'),
  FetchStmt: { class: 'read', command: (node) => (flagField(node, 'ismove') ? 'MOVE' : 'FETCH') },
  ClosePortalStmt: fixed('read', 'CLOSE'),
  PrepareStmt: fixed('read', 'PREPARE'),
  ExecuteStmt: fixed('read', 'EXECUTE'),
  DeallocateStmt: fixed('read', 'DEALLOCATE'),
  ListenStmt: fixed('read', 'LISTEN'),
  UnlistenStmt: fixed('read', 'UNLISTEN'),
  // statements that only appear inside SQL-standard function bodies
  ReturnStmt: fixed('read', 'RETURN'),
  PLAssignStmt: fixed('read', 'ASSIGN'),
  // schema changes
  CreateStmt: fixed('ddl', 'CREATE TABLE'),
  CreateForeignTableStmt: fixed('ddl', 'CREATE FOREIGN TABLE'),
  AlterTableStmt: { class: 'ddl', command: alterObject('objtype') },
  AlterTableMoveAllStmt: fixed('ddl', 'ALTER TABLE'),
  ReplicaIdentityStmt: fixed('ddl', 'ALTER TABLE'),
  DropStmt: { class: objectClassOf('removeType'), command: (node) => `DROP ${objectWords(stringField(node, 'removeType'))}` },
  RenameStmt: {
    class: objectClassOf('renameType'),
    command: (node) => {
      const renamed = stringField(node, 'renameType');
      // Renaming a column or constraint is ALTER of the table (or view, ...) holding it.
      const whole = renamed === 'OBJECT_COLUMN' || renamed === 'OBJECT_TABCONSTRAINT' ? stringField(node, 'relationType') : renamed;
      return `ALTER ${objectWords(whole)}`;
    },
  },
  AlterOwnerStmt: { class: objectClassOf('objectType'), command: alterObject('objectType') },
  AlterObjectSchemaStmt: { class: objectClassOf('objectType'), command: alterObject('objectType') },
  AlterObjectDependsStmt: { class: 'ddl', command: alterObject('objectType') },
  CommentStmt: fixed('ddl', 'COMMENT'),
  IndexStmt: fixed('ddl', 'CREATE INDEX'),
  ViewStmt: fixed('ddl', 'CREATE VIEW'),
  CreateSeqStmt: fixed('ddl', 'CREATE SEQUENCE'),
  AlterSeqStmt: fixed('ddl', 'ALTER SEQUENCE'),
  DefineStmt: { class: 'ddl', command: (node) => `CREATE ${objectWords(stringField(node, 'kind'))}` },
  CreateDomainStmt: fixed('ddl', 'CREATE DOMAIN'),
  AlterDomainStmt: fixed('ddl', 'ALTER DOMAIN'),
  CompositeTypeStmt: fixed('ddl', 'CREATE TYPE'),
  CreateEnumStmt: fixed('ddl', 'CREATE TYPE'),
  CreateRangeStmt: fixed('ddl', 'CREATE TYPE'),
  AlterEnumStmt: fixed('ddl', 'ALTER TYPE'),
  AlterTypeStmt: fixed('ddl', 'ALTER TYPE'),
  CreateFunctionStmt: {
    class: (node) =>
      languageClass(optionString(node, 'options', 'language') ?? (node.sql_body === undefined ? undefined : 'sql')),
    command: (node) => (flagField(node, 'is_procedure') ? 'CREATE PROCEDURE' : 'CREATE FUNCTION'),
  },
  AlterFunctionStmt: { class: 'ddl', command: alterObject('objtype') },
  // The body of DO is an opaque string: at least ddl, admin in an untrusted language.
  DoStmt: { class: (node) => languageClass(optionString(node, 'args', 'language') ?? 'plpgsql'), command: 'DO' },
  CreateTrigStmt: fixed('ddl', 'CREATE TRIGGER'),
  RuleStmt: fixed('ddl', 'CREATE RULE'),
  CreatePolicyStmt: fixed('ddl', 'CREATE POLICY'),
  AlterPolicyStmt: fixed('ddl', 'ALTER POLICY'),
  CreateSchemaStmt: fixed('ddl', 'CREATE SCHEMA'),
  CreateStatsStmt: fixed('ddl', 'CREATE STATISTICS'),
  AlterStatsStmt: fixed('ddl', 'ALTER STATISTICS'),
  CreateOpClassStmt: fixed('ddl', 'CREATE OPERATOR CLASS'),
  CreateOpFamilyStmt: fixed('ddl', 'CREATE OPERATOR FAMILY'),
  AlterOpFamilyStmt: fixed('ddl', 'ALTER OPERATOR FAMILY'),
  AlterOperatorStmt: fixed('ddl', 'ALTER OPERATOR'),
  AlterCollationStmt: fixed('ddl', 'ALTER COLLATION'),
  CreateConversionStmt: fixed('ddl', 'CREATE CONVERSION'),
  CreateCastStmt: fixed('ddl', 'CREATE CAST'),
  CreateTransformStmt: fixed('ddl', 'CREATE TRANSFORM'),
  AlterTSDictionaryStmt: fixed('ddl', 'ALTER TEXT SEARCH DICTIONARY'),
  AlterTSConfigurationStmt: fixed('ddl', 'ALTER TEXT SEARCH CONFIGURATION'),
  ImportForeignSchemaStmt: fixed('ddl', 'IMPORT FOREIGN SCHEMA'),
  // maintenance
  VacuumStmt: { class: 'ddl', command: (node) => (flagField(node, 'is_vacuumcmd') ? 'VACUUM' : 'ANALYZE') },
  ClusterStmt: fixed('ddl', 'CLUSTER'),
  ReindexStmt: fixed('ddl', 'REINDEX'),
  // privileges, roles, the server, and code that runs as the server
  GrantStmt: { class: 'admin', command: grantCommand },
  GrantRoleStmt: { class: 'admin', command: grantCommand },
  AlterDefaultPrivilegesStmt: fixed('admin', 'ALTER DEFAULT PRIVILEGES'),
  CreateRoleStmt: {
    class: 'admin',
    command: (node) => `CREATE ${stringField(node, 'stmt_type')?.replace(/^ROLESTMT_/, '') ?? 'ROLE'}`,
  },
  AlterRoleStmt: fixed('admin', 'ALTER ROLE'),
  AlterRoleSetStmt: fixed('admin', 'ALTER ROLE'),
  DropRoleStmt: fixed('admin', 'DROP ROLE'),
  DropOwnedStmt: fixed('admin', 'DROP OWNED'),
  ReassignOwnedStmt: fixed('admin', 'REASSIGN OWNED'),
  CreatedbStmt: fixed('admin', 'CREATE DATABASE'),
  DropdbStmt: fixed('admin', 'DROP DATABASE'),
  AlterDatabaseStmt: fixed('admin', 'ALTER DATABASE'),
  AlterDatabaseSetStmt: fixed('admin', 'ALTER DATABASE'),
  AlterDatabaseRefreshCollStmt: fixed('admin', 'ALTER DATABASE'),
  AlterSystemStmt: fixed('admin', 'ALTER SYSTEM'),
  CheckPointStmt: fixed('admin', 'CHECKPOINT'),
  LoadStmt: fixed('admin', 'LOAD'),
  SecLabelStmt: fixed('admin', 'SECURITY LABEL'),
  CreateExtensionStmt: fixed('admin', 'CREATE EXTENSION'),
  AlterExtensionStmt: fixed('admin', 'ALTER EXTENSION'),
  AlterExtensionContentsStmt: fixed('admin', 'ALTER EXTENSION'),
  CreatePLangStmt: fixed('admin', 'CREATE LANGUAGE'),
  CreateAmStmt: fixed('admin', 'CREATE ACCESS METHOD'),
  CreateEventTrigStmt: fixed('admin', 'CREATE EVENT TRIGGER'),
  AlterEventTrigStmt: fixed('admin', 'ALTER EVENT TRIGGER'),
  CreateFdwStmt: fixed('admin', 'CREATE FOREIGN DATA WRAPPER'),
  AlterFdwStmt: fixed('admin', 'ALTER FOREIGN DATA WRAPPER'),
  CreateForeignServerStmt: fixed('admin', 'CREATE SERVER'),
  AlterForeignServerStmt: fixed('admin', 'ALTER SERVER'),
  CreateUserMappingStmt: fixed('admin', 'CREATE USER MAPPING'),
  AlterUserMappingStmt: fixed('admin', 'ALTER USER MAPPING'),
  DropUserMappingStmt: fixed('admin', 'DROP USER MAPPING'),
  CreateTableSpaceStmt: fixed('admin', 'CREATE TABLESPACE'),
  DropTableSpaceStmt: fixed('admin', 'DROP TABLESPACE'),
  AlterTableSpaceOptionsStmt: fixed('admin', 'ALTER TABLESPACE'),
  CreatePublicationStmt: fixed('admin', 'CREATE PUBLICATION'),
  AlterPublicationStmt: fixed('admin', 'ALTER PUBLICATION'),
  CreateSubscriptionStmt: fixed('admin', 'CREATE SUBSCRIPTION'),
  AlterSubscriptionStmt: fixed('admin', 'ALTER SUBSCRIPTION'),
  DropSubscriptionStmt: fixed('admin', 'DROP SUBSCRIPTION'),
};

export function statementKind(type: string): StatementKind | undefined {
  return Object.hasOwn(STATEMENT_KINDS, type) ? STATEMENT_KINDS[type] : undefined;
}

export function kindClass(kind: StatementKind, node: AstObject): StatementClass {
  return typeof kind.class === 'function' ? kind.class(node) : kind.class;
}

export function kindCommand(kind: StatementKind, node: AstObject): string {
  return typeof kind.command === 'function' ? kind.command(node) : kind.command;
}
