/**
 * Functions whose call alone makes a statement more than a read. Matching is
 * on the last name component, whatever schema was written: a look-alike in
 * another schema is treated as the real thing, which can only over-classify.
 */
import type { StatementClass } from './sql-types.ts';

/**
 * Functions that read a whole table, schema, database or open cursor named by
 * value and return its rows as one value: neither the tables nor the columns
 * they read are visible in the statement, so no mask can be applied to them.
 */
export const RELATION_BY_VALUE_FUNCTIONS: ReadonlySet<string> = new Set([
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'table_to_xml',
  'table_to_xmlschema',
  'table_to_xml_and_xmlschema',
  'schema_to_xml',
  'schema_to_xmlschema',
  'schema_to_xml_and_xmlschema',
  'database_to_xml',
  'database_to_xmlschema',
  'database_to_xml_and_xmlschema',
]);

/**
 * Calls that reach outside the database's data: server configuration,
 * statistics, backups and replication. Also the functions that read a whole
 * table, schema or database named by value, or a cursor, whose tables the
 * classifier cannot check one by one. Unsafe calls are in UNSAFE_FUNCTIONS.
 */
export const ADMIN_FUNCTIONS: ReadonlySet<string> = new Set([
  // the server itself
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_promote',
  'pg_log_backend_memory_contexts',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_wal_replay_pause',
  'pg_wal_replay_resume',
  'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot',
  'pg_drop_replication_slot',
  'pg_copy_physical_replication_slot',
  'pg_copy_logical_replication_slot',
  'pg_logical_emit_message',
  'pg_import_system_collations',
  'pg_stat_reset',
  'pg_stat_reset_shared',
  'pg_stat_reset_single_table_counters',
  'pg_stat_reset_single_function_counters',
  'pg_stat_reset_slru',
  'pg_stat_reset_replication_slot',
  'pg_stat_reset_subscription_stats',
  // read whole relations named by value: the tables they read are invisible here
  ...RELATION_BY_VALUE_FUNCTIONS,
]);

const SERVER_FILES = 'reads or writes files on the database server';
const LARGE_OBJECT_FILES = 'moves a file between the database server\'s file system and a large object';
const OTHER_SESSIONS = 'signals another session on the database server';

/**
 * Calls no ordinary grant should allow, with why: the server's file system,
 * other sessions, other servers. Matched on the last name component.
 */
export const UNSAFE_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['pg_terminate_backend', OTHER_SESSIONS],
  ['pg_cancel_backend', OTHER_SESSIONS],
  ['pg_signal_backend', OTHER_SESSIONS],
  ['pg_read_file', SERVER_FILES],
  ['pg_read_binary_file', SERVER_FILES],
  ['pg_ls_dir', SERVER_FILES],
  ['pg_stat_file', SERVER_FILES],
  ['pg_ls_logdir', SERVER_FILES],
  ['pg_ls_waldir', SERVER_FILES],
  ['pg_ls_tmpdir', SERVER_FILES],
  ['pg_ls_archive_statusdir', SERVER_FILES],
  ['pg_ls_logicalsnapdir', SERVER_FILES],
  ['pg_ls_logicalmapdir', SERVER_FILES],
  ['pg_ls_replslotdir', SERVER_FILES],
  ['pg_file_write', SERVER_FILES],
  ['pg_file_rename', SERVER_FILES],
  ['pg_file_unlink', SERVER_FILES],
  ['pg_file_sync', SERVER_FILES],
  ['pg_logdir_ls', SERVER_FILES],
  ['lo_import', LARGE_OBJECT_FILES],
  ['lo_export', LARGE_OBJECT_FILES],
]);

/** Name prefixes that are unsafe as a family, with why. */
const UNSAFE_FUNCTION_PREFIXES: readonly (readonly [string, string])[] = [
  // dblink, dblink_exec, dblink_connect, ...: SQL sent to another server, whose effects are invisible here.
  ['dblink', 'connects to another database server and runs SQL there'],
  // pg_ls_*dir added by later releases or extensions.
  ['pg_ls_', SERVER_FILES],
  ['pg_file_', SERVER_FILES],
  // pg_background_launch(sql) and friends: SQL text run in another session.
  ['pg_background_', 'runs SQL text in a background session the gateway cannot see'],
];

/**
 * Extension functions whose names are too ordinary to match unqualified,
 * matched as written with their schema: pg_cron schedules SQL text to run
 * later, outside any session the gateway sees.
 */
const UNSAFE_QUALIFIED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['cron.schedule', 'schedules SQL text to run later, outside the gateway'],
  ['cron.schedule_in_database', 'schedules SQL text to run later, outside the gateway'],
  ['cron.alter_job', 'changes SQL text scheduled to run later, outside the gateway'],
]);

/**
 * Functions whose first argument is SQL text they run. A string literal is
 * parsed and classified like the statement itself; anything else is unsafe,
 * because what it runs is unknown until it runs.
 */
export const QUERY_TEXT_FUNCTIONS: ReadonlySet<string> = new Set([
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'ts_stat',
]);

/**
 * Which argument of a call is SQL text the function runs, or undefined when
 * none is. Besides QUERY_TEXT_FUNCTIONS (the first argument), the two-argument
 * ts_rewrite(query, select) runs its second argument as a query.
 */
export function queryTextArgument(base: string, argumentCount: number): number | undefined {
  if (QUERY_TEXT_FUNCTIONS.has(base)) return 0;
  if (base === 'ts_rewrite' && argumentCount === 2) return 1;
  return undefined;
}

/** Why a call to `name` is unsafe, or undefined when it is not. */
export function functionUnsafeReason(name: string): string | undefined {
  const last = baseFunctionName(name);
  const reason = UNSAFE_FUNCTIONS.get(last);
  if (reason !== undefined) return `${last}() ${reason}`;
  const qualified = UNSAFE_QUALIFIED_FUNCTIONS.get(name);
  if (qualified !== undefined) return `${name}() ${qualified}`;
  const family = UNSAFE_FUNCTION_PREFIXES.find(([prefix]) => last.startsWith(prefix));
  return family === undefined ? undefined : `${last}() ${family[1]}`;
}

/**
 * Calls that change data although they may appear in a plain SELECT.
 * Advisory locks (pg_advisory_lock, ...) are deliberately absent: they touch no
 * data and end with the session.
 */
export const WRITE_FUNCTIONS: ReadonlySet<string> = new Set([
  'nextval',
  'setval',
  'pg_notify',
  'lo_create',
  'lo_creat',
  'lo_unlink',
  'lo_from_bytea',
  'lo_put',
  'lowrite',
  'lo_truncate',
  'lo_truncate64',
]);

/**
 * The class a call to `name` implies on its own. `set_config` is not here: its
 * class depends on which setting it changes (see sql-settings.ts).
 */
export function functionClass(name: string): StatementClass {
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (functionUnsafeReason(name) !== undefined) return 'unsafe';
  if (ADMIN_FUNCTIONS.has(last)) return 'admin';
  if (WRITE_FUNCTIONS.has(last)) return 'write';
  return 'read';
}

/** The function's unqualified name, for matching special cases like set_config. */
export function baseFunctionName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}
