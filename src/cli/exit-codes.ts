/** Exit codes every command uses; documented in the README. */
export const EXIT = {
  OK: 0,
  /** The operation failed (server error, refused, unreachable). */
  ERROR: 1,
  /** The input was wrong (flags, policy files, durations). */
  USAGE: 2,
  /** The command ran and found something: drift, or an audit log that failed verification. */
  FINDING: 3,
} as const;
