/**
 * What the rest of Stint sees of a policy once the files are read and
 * validated. `policy-load.ts` produces these; the decision core, the plan and
 * the proxies consume them. Secrets appear only as references (`env:NAME`,
 * `file:/path`), never as values.
 */
import type { Action, GuardrailRule, ResourceInfo, ResourceSelector, RoleInfo } from '../access/access-model.ts';

/** One policy file as read from disk or sent to the API. `path` is relative to the --config root. */
export interface PolicyFile {
  readonly path: string;
  readonly content: string;
}

/** Who is the source of truth for contractors. */
export type ContractorsOwner = 'files' | 'api';

export interface PolicySettings {
  /** `files`: contractors come only from the files; one added through the API is drift. `api`: invites add them. */
  readonly contractorsOwner: ContractorsOwner;
  readonly inviteTtlMs: number;
  /** Longest lifetime of a token issued without an explicit TTL (still capped by the engagement end). */
  readonly tokenTtlMs: number;
  /** Engagement length for an invite that names no end date. */
  readonly defaultEngagementMs: number;
  /** How long an access request waits for its approvals before it expires (compile fills in 1h; older stored versions lack it). */
  readonly requestTtlMs?: number;
  /** The environment variable holding the key of hash masks; absent when not set. */
  readonly maskingHashKeyEnv?: string;
}

/** A secret reference: resolved only where it is used, never stored or logged resolved. */
export type SecretRef = `env:${string}` | `file:${string}`;

export interface ResourceCredentials {
  readonly user: string;
  readonly password?: SecretRef;
}

export interface ResourceSpec extends ResourceInfo {
  /** host:port of the real target. */
  readonly address: string;
  readonly database?: string;
  readonly credentials?: ResourceCredentials;
  /** TLS from the gateway to the target (libpq sslmode semantics); default prefer. */
  readonly tls?: 'disable' | 'prefer' | 'require' | 'verify-full';
  /** CA certificate (PEM) for tls: verify-full, as a secret reference. */
  readonly tlsCa?: SecretRef;
}

export interface FileContractor {
  readonly email: string;
  readonly name: string;
  readonly company: string;
  readonly sponsor: string;
  readonly roles: readonly string[];
  /** Engagement end, exclusive (a bare date means through that day, UTC). */
  readonly untilAt: number;
}

export const STAFF_ROLES = ['admin', 'approver', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffMember {
  readonly email: string;
  /** Display name, when the files give one. */
  readonly name?: string;
  readonly roles: readonly StaffRole[];
  readonly groups: readonly string[];
}

/** Who may approve requests for some actions on some resources, and on what terms. */
export interface ApprovalRule {
  readonly resources: ResourceSelector;
  readonly actions: readonly Action[];
  /** Staff emails (lower-cased) and `group:<name>` entries naming staff groups. */
  readonly approvers: readonly string[];
  /** Distinct approvals needed before the grant exists; at least 1. */
  readonly minApprovals: number;
  /** Longest grant the rule allows; a longer request is refused. */
  readonly maxDurationMs: number;
  readonly requireReason: boolean;
}

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** An outgoing webhook. The URL may itself be a secret reference (a Slack URL is a credential). */
export interface WebhookSpec {
  readonly name: string;
  /** An http(s) URL, or env:/file: naming where the URL is kept. */
  readonly url: string;
  /** Event types, sorted, or ['*'] for every event. */
  readonly events: readonly string[];
  readonly secret?: SecretRef;
  readonly format: WebhookFormat;
}

export interface CompiledPolicy {
  readonly settings: PolicySettings;
  readonly resources: readonly ResourceSpec[];
  readonly roles: readonly RoleInfo[];
  readonly contractors: readonly FileContractor[];
  readonly staff: readonly StaffMember[];
  /** Approval rules for access requests (compile always fills it in; older stored versions lack it). */
  readonly approvals?: readonly ApprovalRule[];
  /** Outgoing webhooks, by name; absent when none are declared (older stored versions lack it too). */
  readonly webhooks?: readonly WebhookSpec[];
  /** Guardrails in policy order (their number is their position from 1); absent when none are declared. */
  readonly guardrails?: readonly GuardrailRule[];
}

/** A non-fatal finding, e.g. a secret reference whose environment variable is not set here. */
export interface PolicyWarning {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
}

export interface LoadedPolicy {
  readonly compiled: CompiledPolicy;
  /** SHA-256 (hex) over the canonical JSON of `compiled`: equal policies have equal digests whatever the file layout. */
  readonly digest: string;
  readonly files: readonly PolicyFile[];
  readonly warnings: readonly PolicyWarning[];
}

/** A contractor as the store holds it: from the files or from an accepted invite. */
export interface ContractorRecord extends FileContractor {
  readonly source: 'files' | 'api';
  readonly status: 'active' | 'offboarded';
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly offboardedAt: number | null;
}

/** What is in force on the server now: the basis of `plan` and `drift`. */
export interface RunningState {
  /** The last applied policy, or null before the first apply. */
  readonly applied: { readonly digest: string; readonly compiled: CompiledPolicy } | null;
  /** Every contractor on record, active or offboarded. */
  readonly contractors: readonly ContractorRecord[];
}
