import { SQLSTATE } from './postgres-errors.ts';

/**
 * Vets the parameters of a client's StartupMessage. The gateway connects
 * upstream as the resource's own user, so anything a client could use to
 * change who it is or how the server treats it (role, session_authorization,
 * replication, read-only defaults, server switches) is refused with a clear
 * error, and only settings on a short allowlist are passed on.
 */

/**
 * Settings a client may choose at connection, compared case-insensitively as
 * PostgreSQL does. They change formatting, limits and planning for this
 * session only; none changes identity or privileges.
 */
export const ALLOWED_STARTUP_SETTINGS: readonly string[] = [
  'application_name',
  'client_encoding',
  'DateStyle',
  'TimeZone',
  'IntervalStyle',
  'extra_float_digits',
  'bytea_output',
  'search_path',
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'idle_session_timeout',
  'default_transaction_isolation',
  'geqo',
  'jit',
  'work_mem',
];

const ALLOWED = new Set(ALLOWED_STARTUP_SETTINGS.map((name) => name.toLowerCase()));

/** libpq sends these for `replication=false` and the like; any other value asks for a replication connection. */
const NOT_REPLICATION = new Set(['false', 'off', 'no', '0']);

export interface VettedStartup {
  readonly ok: true;
  /** What the client calls itself; informational, since the token says who it is. */
  readonly user: string;
  /** The resource asked for (PostgreSQL's rule: the user name when no database is given). */
  readonly database: string;
  /** Allowlisted settings to send upstream as startup parameters, options first, as the server applies them. */
  readonly forward: ReadonlyMap<string, string>;
  /** `_pq_.` protocol extensions the client asked for; the gateway supports none and says so. */
  readonly protocolOptions: readonly string[];
}

export interface StartupRefusal {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  /** Stable code for the audit record. */
  readonly reason: 'BAD_STARTUP_PARAMETER' | 'REPLICATION_REFUSED';
  /** The database named, when there was one, so the refusal is recorded against it. */
  readonly database?: string;
}

const ALLOWED_HINT = `settings allowed at connection: ${ALLOWED_STARTUP_SETTINGS.join(', ')}; change others with SET after connecting`;

function refuse(code: string, message: string, reason: StartupRefusal['reason'], database: string | undefined, hint?: string): StartupRefusal {
  return { ok: false, code, message, reason, ...(hint === undefined ? {} : { hint }), ...(database === undefined ? {} : { database }) };
}

export function vetStartupParams(params: ReadonlyMap<string, string>): VettedStartup | StartupRefusal {
  const user = params.get('user');
  const named = params.get('database');
  if (user === undefined || user === '') {
    return refuse(SQLSTATE.invalid_authorization_specification, 'no user name given; connect with user set to your email address', 'BAD_STARTUP_PARAMETER', named);
  }
  const resource = named === undefined || named === '' ? user : named;
  const replication = params.get('replication');
  if (replication !== undefined && !NOT_REPLICATION.has(replication.toLowerCase())) {
    return refuse(SQLSTATE.insufficient_privilege, 'replication connections are not allowed through Stint', 'REPLICATION_REFUSED', resource);
  }
  const forward = new Map<string, string>();
  const options = params.get('options');
  if (options !== undefined) {
    const parsed = parseOptions(options);
    if ('problem' in parsed) return refuse(parsed.code, parsed.problem, 'BAD_STARTUP_PARAMETER', resource, ALLOWED_HINT);
    for (const [name, value] of parsed.settings) forward.set(name, value);
  }
  const protocolOptions: string[] = [];
  for (const [name, value] of params) {
    if (name === 'user' || name === 'database' || name === 'options' || name === 'replication') continue;
    if (name.startsWith('_pq_.')) {
      protocolOptions.push(name);
      continue;
    }
    if (!ALLOWED.has(name.toLowerCase())) {
      return refuse(SQLSTATE.insufficient_privilege, `the startup parameter "${name}" is not allowed through Stint`, 'BAD_STARTUP_PARAMETER', resource, ALLOWED_HINT);
    }
    forward.set(name, value);
  }
  return { ok: true, user, database: resource, forward, protocolOptions };
}

type ParsedOptions = { readonly settings: [string, string][] } | { readonly code: string; readonly problem: string };

/**
 * Reads the `options` parameter the way the server does (pg_split_opts and
 * its switch parser): words split on whitespace, a backslash keeps the next
 * character literally, and a setting is `-c name=value`, `-cname=value` or
 * `--name=value`, with dashes in the name read as underscores.
 */
export function parseOptions(options: string): ParsedOptions {
  const words = splitOptions(options);
  const settings: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let assignment: string | undefined;
    if (word.startsWith('--')) assignment = word.slice(2);
    else if (word === '-c') assignment = words[++i];
    else if (word.startsWith('-c')) assignment = word.slice(2);
    else {
      return {
        code: SQLSTATE.insufficient_privilege,
        problem: `the server option "${word}" in the startup options is not allowed through Stint; only -c name=value settings are`,
      };
    }
    const equals = assignment?.indexOf('=') ?? -1;
    if (assignment === undefined || equals <= 0) {
      return {
        code: SQLSTATE.invalid_authorization_specification,
        problem: `the startup options are malformed near "${word}": write -c name=value`,
      };
    }
    const name = assignment.slice(0, equals).replaceAll('-', '_');
    if (!ALLOWED.has(name.toLowerCase())) {
      return { code: SQLSTATE.insufficient_privilege, problem: `the setting "${name}" cannot be set at connection through Stint` };
    }
    settings.push([name, assignment.slice(equals + 1)]);
  }
  return { settings };
}

function splitOptions(options: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < options.length; i++) {
    const char = options[i]!;
    if (char === '\\' && i + 1 < options.length) {
      current += options[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
