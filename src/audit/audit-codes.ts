/**
 * Stable audit event codes. Success and failure of the same moment have
 * distinct codes, so a SIEM rule never has to parse a message. Append new codes;
 * never rename or reuse one.
 */
export const AUDIT_CODES = {
  SERVER_STARTED: { outcome: 'success', description: 'A Stint server process started.' },
  SERVER_STOPPED: { outcome: 'success', description: 'A Stint server process stopped cleanly.' },

  AUTH_SUCCEEDED: { outcome: 'success', description: 'A token was accepted.' },
  AUTH_TOKEN_MISSING: { outcome: 'failure', description: 'A request carried no token.' },
  AUTH_TOKEN_UNKNOWN: { outcome: 'failure', description: 'A presented token matches no token on record.' },
  AUTH_TOKEN_EXPIRED: { outcome: 'failure', description: 'A presented token is past its expiry.' },
  AUTH_TOKEN_REVOKED: { outcome: 'failure', description: 'A presented token was revoked.' },
  AUTH_SUBJECT_INACTIVE: { outcome: 'failure', description: 'A valid token belongs to an offboarded contractor or one whose engagement ended.' },

  ACCESS_ALLOWED: { outcome: 'success', description: 'An access decision allowed an action.' },
  ACCESS_DENIED: { outcome: 'failure', description: 'An access decision denied an action.' },
  API_FORBIDDEN: { outcome: 'failure', description: 'An authenticated caller’s role does not allow an API operation.' },

  POLICY_APPLIED: { outcome: 'success', description: 'A policy was applied; carries its digest and diff.' },
  POLICY_APPLY_FAILED: { outcome: 'failure', description: 'An attempt to apply a policy was refused (invalid or conflicting).' },
  POLICY_RELOAD_REJECTED: { outcome: 'failure', description: 'A changed policy file on disk was invalid; the last good policy stays in force.' },

  CONTRACTOR_ADDED: { outcome: 'success', description: 'A contractor was added (from the files or an accepted invite).' },
  CONTRACTOR_UPDATED: { outcome: 'success', description: 'A contractor’s roles, engagement end or details changed.' },
  CONTRACTOR_REMOVED: { outcome: 'success', description: 'A contractor was removed by a policy apply; their tokens were revoked.' },

  INVITE_CREATED: { outcome: 'success', description: 'An invite was issued.' },
  INVITE_ACCEPTED: { outcome: 'success', description: 'An invite was exchanged for a token.' },
  INVITE_REJECTED: { outcome: 'failure', description: 'An invite code was unknown, expired or already used.' },

  TOKEN_CREATED: { outcome: 'success', description: 'An access token was issued.' },
  TOKEN_CREATE_REFUSED: { outcome: 'failure', description: 'A token request was refused (unknown subject, engagement ended, bad TTL).' },
  TOKEN_REVOKED: { outcome: 'success', description: 'An access token was revoked.' },
  ADMIN_TOKEN_BOOTSTRAPPED: { outcome: 'success', description: 'The first admin token was created or taken from STINT_ADMIN_TOKEN.' },

  AUDIT_EXPORTED: { outcome: 'success', description: 'Audit events were exported.' },
  INVITE_REVOKED: { outcome: 'success', description: 'A pending invite was revoked before it was accepted.' },

  SESSION_STARTED: { outcome: 'success', description: "A contractor's session to a resource was authenticated, allowed and connected upstream." },
  SESSION_REFUSED: { outcome: 'failure', description: 'A connection to a resource was refused at start (unknown resource, no access, bad startup parameters, upstream unreachable).' },
  SESSION_ENDED: { outcome: 'success', description: 'A live session ended; data.reason says why (client_closed, expired, killed, token_revoked, access_lost, upstream_closed, protocol_error, server_shutdown, read_only_lost).' },
  SESSION_KILL_REQUESTED: { outcome: 'success', description: 'Someone asked for a live session to be ended.' },
  STATEMENT_ALLOWED: { outcome: 'success', description: 'A statement was classified and allowed; written before it is forwarded.' },
  STATEMENT_DENIED: { outcome: 'failure', description: 'A statement was refused; data carries the classification and the reason.' },
  STATEMENT_COMPLETED: { outcome: 'success', description: 'A forwarded statement finished; data carries rows and duration.' },
  STATEMENT_FAILED: { outcome: 'failure', description: 'A forwarded statement failed at the database; data carries the error and duration.' },
  STATEMENT_ROWS_CUT: { outcome: 'success', description: 'A result was cut at the max_rows of a guardrail; data carries the limit, the guardrail, and the rows sent and dropped.' },
  SESSION_READ_ONLY_SWITCHED: { outcome: 'success', description: 'The gateway switched a live session to read-only or back at a transaction boundary, because write access was granted or withdrawn.' },
  SESSION_READ_ONLY_LOST: { outcome: 'failure', description: 'The database reported read-only turned off in a session the gateway holds read-only (a function changed it); the session was ended.' },

  REQUEST_CREATED: { outcome: 'success', description: 'A contractor asked for more access for a while; the request waits for approval.' },
  REQUEST_APPROVAL_RECORDED: { outcome: 'success', description: 'An eligible approver approved a request; data says how many approvals it has and needs.' },
  REQUEST_APPROVED: { outcome: 'success', description: 'A request reached its required approvals and became a grant.' },
  REQUEST_DENIED: { outcome: 'success', description: 'An approver denied a request, with a reason.' },
  REQUEST_CANCELLED: { outcome: 'success', description: 'A pending request was withdrawn (by its requester, or by offboarding).' },
  REQUEST_EXPIRED: { outcome: 'success', description: 'A pending request lapsed before it was approved (settings.request_ttl).' },
  REQUEST_REFUSED: { outcome: 'failure', description: 'A request, approval, denial, cancellation or grant revocation was refused; data.operation and data.error say which and why.' },
  GRANT_CREATED: { outcome: 'success', description: 'A time-bound grant was created from an approved request.' },
  GRANT_REVOKED: { outcome: 'success', description: 'A grant was ended before its expiry, with a reason.' },
  GRANT_EXPIRED: { outcome: 'success', description: 'A grant reached its expiry; the access it gave ended at that instant.' },

  CONTRACTOR_OFFBOARDED: { outcome: 'success', description: 'A contractor was offboarded (by hand, at the engagement end, or removed by a policy apply): tokens, grants, pending requests and invites revoked, live sessions ended; data carries the cause and a summary.' },
  WEBHOOK_TEST_REQUESTED: { outcome: 'success', description: 'An administrator queued a test event for one or every webhook (`stint webhooks test`).' },
  WEBHOOK_DELIVERY_FAILED: { outcome: 'failure', description: 'A webhook delivery was given up after its last attempt; data carries the webhook, event, attempts and last error.' },
} as const satisfies Record<string, { outcome: 'success' | 'failure'; description: string }>;

export type AuditCode = keyof typeof AUDIT_CODES;
