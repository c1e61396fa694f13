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
  'session_replication_role',
  'lo_compat_privileges',
  'allow_system_table_mods',
  'allow_in_place_tablespaces',
  'ignore_system_indexes',
  'ignore_checksum_failure',
  'ignore_invalid_pages',
  'zero_damaged_pages',
]);

/**
 * Settings no ordinary grant may change, with why: who the session acts as,
 * and which server-side libraries it loads (code that runs as the server).
 */
export const UNSAFE_SETTINGS: ReadonlyMap<string, string> = new Map([
  ['role', 'changes the database role the session acts as'],
  ['session_authorization', 'changes the database user the session acts as'],
  ['session_preload_libraries', 'loads server-side libraries into the session'],
  ['local_preload_libraries', 'loads server-side libraries into the session'],
  ['dynamic_library_path', 'changes where the server loads libraries from'],
  ['jit_provider', 'loads a server-side library as the JIT provider'],
]);

/** Why changing the named setting is unsafe (undefined name: set_config with a name that is not a literal). */
export function settingUnsafeReason(name: string | undefined, via: 'set' | 'set_config'): string | undefined {
  if (name === undefined) {
    return via === 'set_config' ? 'set_config() with a setting name that is not a string literal could change any setting, including the role' : undefined;
  }
  const lower = name.toLowerCase();
  const reason = UNSAFE_SETTINGS.get(lower);
  return reason === undefined ? undefined : `changing ${lower} ${reason}`;
}

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
  if (UNSAFE_SETTINGS.has(lower)) return 'unsafe';
  if (ADMIN_SETTINGS.has(lower)) return 'admin';
  if (lower.includes('.')) return 'admin';
  if (ADMIN_SETTING_PREFIXES.some((prefix) => lower.startsWith(prefix))) return 'admin';
  return 'read';
}
