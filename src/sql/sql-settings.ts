/**
 * Which run-time settings a contractor may change freely. `SET x` and
 * `set_config('x', ...)` share this rule.
 */
import type { StatementClass } from './sql-types.ts';

/**
 * Settings whose change escalates privilege or blinds the server's own
 * auditing: changing identity (role, session_authorization), skipping triggers
 * and foreign keys (session_replication_role), bypassing large-object checks,
 * loading libraries, or touching system-catalog safety switches.
 */
export const ADMIN_SETTINGS: ReadonlySet<string> = new Set([
  'role',
  'session_authorization',
  'session_replication_role',
  'lo_compat_privileges',
  'allow_system_table_mods',
  'allow_in_place_tablespaces',
  'ignore_system_indexes',
  'ignore_checksum_failure',
  'ignore_invalid_pages',
  'zero_damaged_pages',
  'session_preload_libraries',
  'local_preload_libraries',
  'dynamic_library_path',
  'jit_provider',
]);

/** Families of superuser settings: server logging, debugging output, statistics tracking, WAL. */
export const ADMIN_SETTING_PREFIXES: readonly string[] = ['log_', 'debug_', 'trace_', 'track_', 'wal_'];

/**
 * The class of changing the named setting. Custom settings (`app.tenant_id`,
 * any name with a dot) are admin: row-level security policies commonly read
 * them, so setting one can widen which rows a session sees. A missing name
 * (RESET ALL) is read: RESET ALL leaves role and session_authorization alone.
 */
export function settingClass(name: string | undefined): StatementClass {
  if (name === undefined) return 'read';
  // Setting names are case-insensitive in PostgreSQL, even when quoted.
  const lower = name.toLowerCase();
  if (ADMIN_SETTINGS.has(lower)) return 'admin';
  if (lower.includes('.')) return 'admin';
  if (ADMIN_SETTING_PREFIXES.some((prefix) => lower.startsWith(prefix))) return 'admin';
  return 'read';
}
