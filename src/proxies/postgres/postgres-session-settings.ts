import type { SessionSettingLimits, StatementTimeoutLimit } from '../../access/statement-session-settings.ts';
import { isTrueSetting } from '../../access/statement-session-settings.ts';

/**
 * Upstream settings the gateway manages per session, as defence in depth
 * behind the per-statement decisions:
 *
 * - statement_timeout: a guardrail's limit, sent as a startup parameter so it
 *   is also what RESET and RESET ALL restore;
 * - default_transaction_read_only: on for a session holding no right to change
 *   data, so PostgreSQL itself stops writes the classifier cannot see (in
 *   user-defined functions, procedures, triggers). Switched at transaction
 *   boundaries when an approved grant adds or a revocation removes write, and
 *   watched through ParameterStatus (PostgreSQL 14+ reports it) so a function
 *   that turns it off ends the session.
 */

export const READ_ONLY_SETTING = 'default_transaction_read_only';

/** What the gateway decided for a session at its start. */
export interface ManagedStartup {
  readonly statementTimeout: StatementTimeoutLimit | undefined;
  /** The session starts read-only (it holds no write, ddl or admin right on the resource). */
  readonly readOnly: boolean;
}

/**
 * The startup parameters to send upstream: the client's allowlisted ones,
 * with each setting the gateway manages for this session replaced by the
 * gateway's own value, whatever the client asked for (in its startup packet
 * or `options=-c ...`, in any letter case).
 */
export function upstreamStartupParams(forward: ReadonlyMap<string, string>, managed: ManagedStartup): Map<string, string> {
  const managedNames = new Set<string>();
  if (managed.statementTimeout !== undefined) managedNames.add('statement_timeout');
  if (managed.readOnly) managedNames.add(READ_ONLY_SETTING);
  const params = new Map<string, string>();
  for (const [name, value] of forward) if (!managedNames.has(name.toLowerCase())) params.set(name, value);
  if (managed.statementTimeout !== undefined) params.set('statement_timeout', String(managed.statementTimeout.ms));
  if (managed.readOnly) params.set(READ_ONLY_SETTING, 'on');
  return params;
}

/**
 * Whether the server confirmed, in its startup ParameterStatus messages, the
 * read-only mode the gateway asked for; a sentence naming the problem when it
 * did not. PostgreSQL 14 and later always report default_transaction_read_only
 * at startup. A pooler in between that drops startup parameters it does not
 * know (PgBouncer without `ignore_startup_parameters` refuses them; with it,
 * it silently drops them) would leave the session writable while the gateway
 * believes otherwise: fail closed. Servers before 14 do not report the setting
 * and cannot be checked (a documented limit).
 */
export function unconfirmedReadOnly(managed: ManagedStartup, parameters: ReadonlyMap<string, string>): string | undefined {
  if (!managed.readOnly) return undefined;
  const reported = parameters.get(READ_ONLY_SETTING);
  if (reported !== undefined) {
    return isTrueSetting(reported) ? undefined : `the database reported ${READ_ONLY_SETTING} = ${reported} for a session Stint must hold read-only`;
  }
  const major = Number.parseInt(parameters.get('server_version') ?? '', 10);
  if (Number.isFinite(major) && major < 14) return undefined;
  return `the database did not confirm ${READ_ONLY_SETTING} = on for a session Stint must hold read-only (a connection pooler between Stint and the database may drop startup parameters)`;
}

export type ReadOnlyReport = 'fine' | 'lost';

/** The per-session state: what the gateway holds the session to, and what the server last reported. */
export class SessionSettings {
  readonly #statementTimeout: StatementTimeoutLimit | undefined;
  readonly #startupReadOnly: boolean;
  /** The gateway holds the session read-only (as sent at startup, or by its own SET since). */
  #held: boolean;
  /** The gateway's own SET to turn read-only off is in flight: the server's report of off is expected. */
  #releasing = false;

  constructor(managed: ManagedStartup) {
    this.#statementTimeout = managed.statementTimeout;
    this.#startupReadOnly = managed.readOnly;
    this.#held = managed.readOnly;
  }

  get heldReadOnly(): boolean {
    return this.#held;
  }

  /** The limits the per-statement criterion enforces now. */
  limits(): SessionSettingLimits {
    return {
      ...(this.#statementTimeout === undefined ? {} : { statementTimeout: this.#statementTimeout }),
      ...(this.#held ? { readOnly: { resetKeepsReadOnly: this.#startupReadOnly } } : {}),
    };
  }

  /** The read-only state the session should switch to, given whether it may change data now; undefined when none. */
  wanted(mayChangeData: boolean): boolean | undefined {
    return mayChangeData === this.#held ? !mayChangeData : undefined;
  }

  /** The gateway sent its own SET; from now on it holds the session to `readOnly`. */
  switching(readOnly: boolean): void {
    this.#held = readOnly;
    this.#releasing = !readOnly;
  }

  /** The gateway's own SET was answered. */
  switched(): void {
    this.#releasing = false;
  }

  /** A ParameterStatus from the server: `lost` when read-only turned off while the gateway holds it. */
  report(name: string, value: string): ReadOnlyReport {
    if (name.toLowerCase() !== READ_ONLY_SETTING || !this.#held || this.#releasing) return 'fine';
    return isTrueSetting(value) ? 'fine' : 'lost';
  }
}
