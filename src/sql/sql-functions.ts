/**
 * Functions whose call alone makes a statement more than a read. Matching is
 * on the last name component, whatever schema was written: a look-alike in
 * another schema is treated as the real thing, which can only over-classify.
 */
import type { StatementClass } from './sql-types.ts';

/**
 * Calls that reach outside the database's data: server files, other backends,
 * server configuration, replication, other databases. Also the query-as-text
 * functions, whose tables the classifier cannot see.
 */
export const ADMIN_FUNCTIONS: ReadonlySet<string> = new Set([
  // other sessions and the server itself
  'pg_terminate_backend',
  'pg_cancel_backend',
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
  // the server's file system
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_logicalsnapdir',
  'pg_ls_logicalmapdir',
  'pg_ls_replslotdir',
  'pg_file_write',
  'pg_file_rename',
  'pg_file_unlink',
  'pg_file_sync',
  'lo_import',
  'lo_export',
  // run SQL given as text: the tables they read are invisible here
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
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
  'ts_stat',
]);

/** Name prefixes that are admin as a family (dblink, dblink_exec, dblink_connect, ...). */
export const ADMIN_FUNCTION_PREFIXES: readonly string[] = ['dblink'];

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
  if (ADMIN_FUNCTIONS.has(last)) return 'admin';
  if (ADMIN_FUNCTION_PREFIXES.some((prefix) => last.startsWith(prefix))) return 'admin';
  if (WRITE_FUNCTIONS.has(last)) return 'write';
  return 'read';
}

/** The function's unqualified name, for matching special cases like set_config. */
export function baseFunctionName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}
