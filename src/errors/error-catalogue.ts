/**
 * Every error Stint reports to a person has a stable code from this catalogue.
 * `docs/errors.md` documents each one; a test fails when a code is missing
 * there, so the catalogue and the docs cannot drift apart.
 */
export interface CatalogueEntry {
  /** HTTP status the API answers with; CLI-only errors use 0. */
  readonly httpStatus: number;
  /** Default message when the thrower gives no more specific detail. */
  readonly message: string;
  /** What the person who hit the error should do next. */
  readonly fix: string;
}

export const ERROR_CATALOGUE = {
  STINT_ERR_POLICY_INVALID: {
    httpStatus: 400,
    message: 'The policy files failed validation.',
    fix: 'Correct each listed field at the file and line given, then run `stint plan` again.',
  },
  STINT_ERR_POLICY_YAML: {
    httpStatus: 400,
    message: 'A policy file is not valid YAML.',
    fix: 'Fix the YAML syntax at the line given (indentation, quotes, a missing colon).',
  },
  STINT_ERR_POLICY_NOT_FOUND: {
    httpStatus: 400,
    message: 'No policy file was found at the given path.',
    fix: 'Pass --config a .yaml/.yml file or a directory holding them.',
  },
  STINT_ERR_POLICY_CONFLICT: {
    httpStatus: 409,
    message: 'The running policy changed since this plan was made.',
    fix: 'Run `stint plan` again, review the new diff, then apply.',
  },
  STINT_ERR_POLICY_NOT_APPLIED: {
    httpStatus: 409,
    message: 'No policy has been applied to this server yet.',
    fix: 'Run `stint apply --config PATH` (or start `stint serve --config PATH`).',
  },
  STINT_ERR_UNAUTHENTICATED: {
    httpStatus: 401,
    message: 'No access token was presented.',
    fix: 'Send `Authorization: Bearer <token>`; for the CLI set STINT_TOKEN or run `stint accept CODE`.',
  },
  STINT_ERR_TOKEN_INVALID: {
    httpStatus: 401,
    message: 'The access token is not recognised.',
    fix: 'Check you copied the whole token (it starts with `stint_`), or ask your sponsor for a new invite.',
  },
  STINT_ERR_TOKEN_EXPIRED: {
    httpStatus: 401,
    message: 'The access token has expired.',
    fix: 'Ask an administrator for a new token (`stint token create`) or a new invite.',
  },
  STINT_ERR_TOKEN_REVOKED: {
    httpStatus: 401,
    message: 'The access token was revoked.',
    fix: 'Ask an administrator why it was revoked and for a new token if access should continue.',
  },
  STINT_ERR_FORBIDDEN: {
    httpStatus: 403,
    message: 'Your role does not allow this operation.',
    fix: 'Use a token of a role that may do this (admin, approver or auditor as the route requires).',
  },
  STINT_ERR_NOT_FOUND: {
    httpStatus: 404,
    message: 'No such route or object.',
    fix: 'Check the path and identifier; `stint --help` lists the commands.',
  },
  STINT_ERR_BAD_REQUEST: {
    httpStatus: 400,
    message: 'The request is malformed.',
    fix: 'Correct the fields named in the error details and retry.',
  },
  STINT_ERR_BODY_TOO_LARGE: {
    httpStatus: 413,
    message: 'The request body is larger than the server accepts.',
    fix: 'Send a smaller body; policy sets larger than the limit should be split or trimmed.',
  },
  STINT_ERR_BAD_DURATION: {
    httpStatus: 400,
    message: 'A duration could not be read.',
    fix: 'Write durations as a number and a unit, e.g. 30m, 8h, 72h, 90d or 1h30m.',
  },
  STINT_ERR_BAD_DATE: {
    httpStatus: 400,
    message: 'A date could not be read.',
    fix: 'Write dates as YYYY-MM-DD (access lasts through that day, UTC) or a full ISO 8601 timestamp with a zone.',
  },
  STINT_ERR_UNKNOWN_ROLE: {
    httpStatus: 400,
    message: 'The role is not declared in the policy.',
    fix: 'Use one of the roles listed in the policy files, or declare the role and apply.',
  },
  STINT_ERR_UNKNOWN_CONTRACTOR: {
    httpStatus: 404,
    message: 'No contractor or staff member has this email.',
    fix: 'Check the email, or invite the contractor first with `stint invite`.',
  },
  STINT_ERR_CONTRACTOR_OFFBOARDED: {
    httpStatus: 409,
    message: 'The contractor has been offboarded.',
    fix: 'Re-onboarding is a fresh invite: `stint invite EMAIL --role ROLE`.',
  },
  STINT_ERR_ENGAGEMENT_ENDED: {
    httpStatus: 409,
    message: 'The contractor’s engagement has already ended.',
    fix: 'Extend the engagement (`until`) in the policy or invite them again with a new end date.',
  },
  STINT_ERR_INVITE_INVALID: {
    httpStatus: 404,
    message: 'The invite code is not recognised.',
    fix: 'Check you copied the whole code, or ask your sponsor for a new invite.',
  },
  STINT_ERR_INVITE_EXPIRED: {
    httpStatus: 410,
    message: 'The invite has expired.',
    fix: 'Ask your sponsor to send a new invite.',
  },
  STINT_ERR_INVITE_USED: {
    httpStatus: 410,
    message: 'The invite was already accepted; invites are single-use.',
    fix: 'Use the token you received when you accepted it, or ask for a new invite.',
  },
  STINT_ERR_AUDIT_UNAVAILABLE: {
    httpStatus: 503,
    message: 'The audit log cannot be written, so the action was refused.',
    fix: 'An operator must restore the store (disk, database connection); Stint fails closed until then.',
  },
  STINT_ERR_AUDIT_TAMPERED: {
    httpStatus: 0,
    message: 'The audit log failed verification.',
    fix: 'Treat the store as compromised: compare with a backup and the exported SIEM copy from the first bad seq on.',
  },
  STINT_ERR_STORE_UNAVAILABLE: {
    httpStatus: 503,
    message: 'The store cannot be reached.',
    fix: 'Check --store / STINT_STORE or the --data directory, and that the database is running.',
  },
  STINT_ERR_SERVER_UNREACHABLE: {
    httpStatus: 0,
    message: 'The Stint server could not be reached.',
    fix: 'Start it with `stint serve` or set STINT_URL to where it runs (default http://127.0.0.1:7070).',
  },
  STINT_ERR_NO_TOKEN: {
    httpStatus: 0,
    message: 'No access token is configured for the CLI.',
    fix: 'Set STINT_TOKEN, pass --token, or run `stint accept CODE` with an invite code.',
  },
  STINT_ERR_USAGE: {
    httpStatus: 0,
    message: 'The command line is not valid.',
    fix: 'Run the command with --help to see its arguments and options.',
  },
  STINT_ERR_CONFIG: {
    httpStatus: 0,
    message: 'The server configuration is not valid.',
    fix: 'Check the flags and environment variables named in the error (see `stint serve --help`).',
  },
  STINT_ERR_REQUEST_NOT_FOUND: {
    httpStatus: 404,
    message: 'No access request has this id, or it is not yours to see.',
    fix: 'List requests with `stint requests` and use an id from there (req_…).',
  },
  STINT_ERR_NOT_REQUESTABLE: {
    httpStatus: 400,
    message: 'No approval rule lets this access be requested.',
    fix: 'Request a resource and actions an approval rule covers; the message lists what you can request, or ask your sponsor to add a rule under approvals.',
  },
  STINT_ERR_SELF_APPROVAL: {
    httpStatus: 403,
    message: 'Nobody may approve or deny their own request.',
    fix: 'Ask another eligible approver; the request lists who may approve it.',
  },
  STINT_ERR_NOT_APPROVER: {
    httpStatus: 403,
    message: 'You are not an eligible approver for this request.',
    fix: 'Ask one of the approvers the message names, or have the approval rule in the policy list you (by email or group).',
  },
  STINT_ERR_REQUEST_CLOSED: {
    httpStatus: 409,
    message: 'The request is no longer pending (approved, denied, cancelled or expired).',
    fix: 'Check its status with `stint requests`; to get access after a denial or expiry, make a new request.',
  },
  STINT_ERR_DURATION_TOO_LONG: {
    httpStatus: 400,
    message: 'The duration asked for is longer than allowed.',
    fix: 'Ask for at most the maximum the message gives (the rule’s max_duration, or the requested duration when approving with --for).',
  },
  STINT_ERR_REASON_REQUIRED: {
    httpStatus: 400,
    message: 'A reason is required here.',
    fix: 'Add --reason "..." (e.g. a ticket reference): the approval rule asks for one, and a denial always needs one.',
  },
  STINT_ERR_ALREADY_APPROVED: {
    httpStatus: 409,
    message: 'You have already approved this request.',
    fix: 'Wait for the other approvals it needs; `stint requests` shows how many it has.',
  },
  STINT_ERR_GRANT_NOT_FOUND: {
    httpStatus: 404,
    message: 'No grant has this id, or it is not yours to see.',
    fix: 'List grants with `stint grants` and use an id from there (grt_…).',
  },
  STINT_ERR_TOO_MANY_STREAMS: {
    httpStatus: 429,
    message: 'This token already holds the most live event streams the server allows.',
    fix: 'Close other console tabs signed in with this token, or wait a minute for dropped connections to be noticed.',
  },
  STINT_ERR_INTERNAL: {
    httpStatus: 500,
    message: 'Stint hit an internal error; nothing was changed.',
    fix: 'Retry; if it persists, report it with the time and the server log around it.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
