/**
 * Turns validated policy documents into the CompiledPolicy the rest of Stint
 * uses. Everything is normalised (emails lower-cased, lists de-duplicated and
 * sorted, defaults filled in) so two layouts of the same policy compile to
 * the same value and therefore the same digest.
 */
import { ACTIONS, BLOCKABLE_STATEMENTS, type AccessRule, type Action, type BlockableStatement, type GuardrailRule, type RoleInfo } from '../access/access-model.ts';
import { normaliseColumnPattern, type ColumnMask } from '../masking/mask-rules.ts';
import { parseDuration } from '../time/duration.ts';
import { parseEndInstant } from '../time/instant.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import type { ApprovalRuleDocument, GuardrailDocument, PolicyDocument, RoleDocument, RuleDocument, SettingsDocument, WebhookDocument } from './policy-schema.ts';
import {
  type ApprovalRule,
  type CompiledPolicy,
  type FileContractor,
  type PolicySettings,
  type ResourceSpec,
  type SecretRef,
  STAFF_ROLES,
  type StaffMember,
  type StaffRole,
  type WebhookSpec,
} from './policy-types.ts';

export const DEFAULT_REQUEST_TTL_MS = 3_600_000;

export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  contractorsOwner: 'files',
  inviteTtlMs: 72 * 3_600_000,
  tokenTtlMs: 30 * 86_400_000,
  defaultEngagementMs: 30 * 86_400_000,
  requestTtlMs: DEFAULT_REQUEST_TTL_MS,
};

/**
 * Compiles documents that passed validation (see loadPolicyFromFiles, which
 * also rejects duplicates across them; here a later duplicate would simply
 * replace an earlier one).
 */
export function compilePolicy(documents: readonly PolicyDocument[]): CompiledPolicy {
  let settings = DEFAULT_POLICY_SETTINGS;
  const resources = new Map<string, ResourceSpec>();
  const roles = new Map<string, RoleInfo>();
  const contractors = new Map<string, FileContractor>();
  const staff = new Map<string, StaffMember>();
  const approvals: ApprovalRuleDocument[] = [];
  const webhooks = new Map<string, WebhookSpec>();
  const guardrails: GuardrailRule[] = [];

  for (const document of documents) {
    if (document.settings !== undefined) settings = compileSettings(document.settings);
    for (const [name, resource] of Object.entries(document.resources ?? {})) {
      resources.set(name, {
        name,
        kind: resource.kind,
        address: resource.address,
        labels: { ...(resource.labels ?? {}) },
        ...(resource.database === undefined ? {} : { database: resource.database }),
        ...(resource.tls === undefined ? {} : { tls: resource.tls }),
        ...(resource.tls_ca === undefined ? {} : { tlsCa: resource.tls_ca as SecretRef }),
        ...(resource.credentials === undefined
          ? {}
          : {
              credentials: {
                user: resource.credentials.user,
                ...(resource.credentials.password === undefined ? {} : { password: resource.credentials.password as SecretRef }),
              },
            }),
      });
    }
    for (const [name, role] of Object.entries(document.roles ?? {})) roles.set(name, compileRole(name, role));
    for (const [rawEmail, contractor] of Object.entries(document.contractors ?? {})) {
      const email = rawEmail.toLowerCase();
      contractors.set(email, {
        email,
        name: contractor.name,
        company: contractor.company ?? '',
        sponsor: contractor.sponsor.toLowerCase(),
        roles: uniqueSorted(contractor.roles),
        untilAt: parseEndInstant(contractor.until, `until of ${email}`),
      });
    }
    for (const [rawEmail, member] of Object.entries(document.staff ?? {})) {
      const email = rawEmail.toLowerCase();
      staff.set(email, {
        email,
        ...(member.name === undefined ? {} : { name: member.name }),
        roles: inOrder<StaffRole>(member.roles, STAFF_ROLES),
        groups: uniqueSorted(member.groups ?? []),
      });
    }
    approvals.push(...(document.approvals ?? []));
    for (const [name, webhook] of Object.entries(document.webhooks ?? {})) webhooks.set(name, compileWebhook(name, webhook));
    guardrails.push(...(document.guardrails ?? []).map(compileGuardrail));
  }

  return {
    settings,
    resources: sortedValues(resources),
    roles: sortedValues(roles),
    contractors: sortedValues(contractors),
    staff: sortedValues(staff),
    approvals: compileApprovals(approvals),
    // Only present when declared, so policies without webhooks keep the digest they had.
    ...(webhooks.size === 0 ? {} : { webhooks: sortedValues(webhooks) }),
    // Kept in order, unlike other rules: a guardrail's number is its position and names it in refusals.
    ...(guardrails.length === 0 ? {} : { guardrails }),
  };
}

function compileGuardrail(document: GuardrailDocument): GuardrailRule {
  return {
    resources: compileSelector(document.resources),
    deny: inOrder<Action>(document.deny ?? [], ACTIONS),
    requireApproval: inOrder<Action>(document.require_approval ?? [], ACTIONS),
    block: inOrder<BlockableStatement>(document.block ?? [], BLOCKABLE_STATEMENTS),
    // Only present when declared, so guardrails without it keep the digest they had.
    ...(document.statement_timeout === undefined ? {} : { statementTimeoutMs: parseDuration(document.statement_timeout, 'statement_timeout') }),
    ...(document.max_rows === undefined ? {} : { maxRows: document.max_rows }),
  };
}

function compileSelector(selector: RuleDocument['resources']): AccessRule['resources'] {
  return {
    ...(selector.names === undefined ? {} : { names: uniqueSorted(selector.names) }),
    ...(selector.labels === undefined ? {} : { labels: { ...selector.labels } }),
  };
}

function compileWebhook(name: string, webhook: WebhookDocument): WebhookSpec {
  const events = uniqueSorted(webhook.events);
  return {
    name,
    url: webhook.url,
    events: events.includes('*') ? ['*'] : events,
    ...(webhook.secret === undefined ? {} : { secret: webhook.secret as SecretRef }),
    format: webhook.format ?? 'json',
  };
}

function compileSettings(document: SettingsDocument): PolicySettings {
  return {
    contractorsOwner: document.contractors ?? DEFAULT_POLICY_SETTINGS.contractorsOwner,
    inviteTtlMs: document.invite_ttl === undefined ? DEFAULT_POLICY_SETTINGS.inviteTtlMs : parseDuration(document.invite_ttl, 'invite_ttl'),
    tokenTtlMs: document.token_ttl === undefined ? DEFAULT_POLICY_SETTINGS.tokenTtlMs : parseDuration(document.token_ttl, 'token_ttl'),
    defaultEngagementMs:
      document.default_engagement === undefined ? DEFAULT_POLICY_SETTINGS.defaultEngagementMs : parseDuration(document.default_engagement, 'default_engagement'),
    requestTtlMs: document.request_ttl === undefined ? DEFAULT_REQUEST_TTL_MS : parseDuration(document.request_ttl, 'request_ttl'),
    ...(document.masking?.hash_key_env === undefined ? {} : { maskingHashKeyEnv: document.masking.hash_key_env }),
  };
}

/** Approval rules are a set across files, like role rules: order and file layout do not change the digest. */
function compileApprovals(documents: readonly ApprovalRuleDocument[]): ApprovalRule[] {
  const byKey = new Map<string, ApprovalRule>();
  for (const document of documents) {
    const rule: ApprovalRule = {
      resources: {
        ...(document.resources.names === undefined ? {} : { names: uniqueSorted(document.resources.names) }),
        ...(document.resources.labels === undefined ? {} : { labels: { ...document.resources.labels } }),
      },
      actions: inOrder<Action>(document.actions, ACTIONS),
      approvers: uniqueSorted(document.approvers.map((approver) => (approver.startsWith('group:') ? approver : approver.toLowerCase()))),
      minApprovals: document.min_approvals ?? 1,
      maxDurationMs: parseDuration(document.max_duration, 'max_duration'),
      requireReason: document.require_reason ?? false,
    };
    byKey.set(canonicalJson(rule), rule);
  }
  return [...byKey.entries()].sort(([a], [b]) => compareText(a, b)).map(([, rule]) => rule);
}

function compileRole(name: string, role: RoleDocument): RoleInfo {
  return {
    name,
    grants: compileRules(role.grants ?? []),
    denies: compileRules(role.deny ?? []),
    maxSessionMs: role.max_session === undefined ? null : parseDuration(role.max_session, `max_session of role ${name}`),
  };
}

/** Rules are a set: their order in the file means nothing, so it must not change the digest. */
function compileRules(rules: readonly RuleDocument[]): AccessRule[] {
  const byKey = new Map<string, AccessRule>();
  for (const rule of rules) {
    const compiled: AccessRule = {
      resources: {
        ...(rule.resources.names === undefined ? {} : { names: uniqueSorted(rule.resources.names) }),
        ...(rule.resources.labels === undefined ? {} : { labels: { ...rule.resources.labels } }),
      },
      actions: inOrder<Action>(rule.actions, ACTIONS),
      // Only present when written, so policies without table scopes keep the digest they had.
      ...(rule.tables === undefined ? {} : { tables: uniqueSorted(rule.tables.map((table) => table.toLowerCase())) }),
      ...(rule.mask === undefined ? {} : { mask: compileMasks(rule.mask) }),
    };
    byKey.set(canonicalJson(compiled), compiled);
  }
  return [...byKey.entries()].sort(([a], [b]) => compareText(a, b)).map(([, rule]) => rule);
}

/** String entries mean redact; patterns are normalised and sorted so layout never changes the digest. */
function compileMasks(entries: NonNullable<RuleDocument['mask']>): ColumnMask[] {
  const byKey = new Map<string, ColumnMask>();
  for (const entry of entries) {
    const mask: ColumnMask =
      typeof entry === 'string'
        ? { column: normaliseColumnPattern(entry), strategy: 'redact' }
        : { column: normaliseColumnPattern(entry.column), strategy: entry.strategy ?? 'redact', ...(entry.keep === undefined ? {} : { keep: entry.keep }) };
    byKey.set(canonicalJson(mask), mask);
  }
  return [...byKey.entries()].sort(([a], [b]) => compareText(a, b)).map(([, mask]) => mask);
}

function sortedValues<T>(map: ReadonlyMap<string, T>): T[] {
  return [...map.entries()].sort(([a], [b]) => compareText(a, b)).map(([, value]) => value);
}

function uniqueSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareText);
}

/** De-duplicates and orders by a fixed vocabulary (read before write), which reads better than alphabetical. */
function inOrder<T extends string>(values: readonly T[], order: readonly T[]): T[] {
  const present = new Set(values);
  return order.filter((value) => present.has(value));
}

/** Code-unit order: locale-independent, so every machine sorts alike. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
