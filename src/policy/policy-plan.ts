/**
 * `stint plan`: what applying the files would change, in plain words, and who
 * gains or loses what because of it. Pure: the caller loads the files and reads
 * the running state; apply writes exactly `contractorWrites`.
 */
import { diffAccess } from '../access/access-diff.ts';
import { buildAccessIndex } from '../access/access-index.ts';
import type { ContractorInfo, RoleInfo } from '../access/access-model.ts';
import { labelsText, rulesText } from '../access/access-rule-text.ts';
import { diffMaskAccess } from '../masking/mask-plan.ts';
import { formatDuration } from '../time/duration.ts';
import { isoString } from '../time/instant.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { DEFAULT_REQUEST_TTL_MS } from './policy-compile.ts';
import { diffApprovals } from './policy-plan-approvals.ts';
import { diffGuardrails } from './policy-plan-guardrails.ts';
import { diffWebhooks } from './policy-plan-webhooks.ts';
import type { CompiledPolicy, ContractorRecord, FileContractor, LoadedPolicy, PolicySettings, ResourceSpec, RunningState, StaffMember } from './policy-types.ts';

export type PlanChangeKind =
  | 'settings.changed'
  | 'resource.added'
  | 'resource.removed'
  | 'resource.changed'
  | 'role.added'
  | 'role.removed'
  | 'role.changed'
  | 'staff.added'
  | 'staff.removed'
  | 'staff.changed'
  | 'contractor.added'
  | 'contractor.removed'
  | 'contractor.changed'
  | 'access.gained'
  | 'access.lost'
  | 'approval.added'
  | 'approval.removed'
  | 'approval.changed'
  | 'webhook.added'
  | 'webhook.removed'
  | 'webhook.changed'
  | 'guardrail.added'
  | 'guardrail.removed'
  | 'guardrail.changed';

export interface PlanChange {
  readonly kind: PlanChangeKind;
  /** The name or email the change is about (`settings` for settings). */
  readonly subject: string;
  /** One line a reviewer reads; never a secret value. */
  readonly text: string;
}

export interface PolicyPlan {
  readonly digest: string;
  readonly previousDigest: string | null;
  readonly changes: readonly PlanChange[];
  readonly hasChanges: boolean;
  /** What apply must write to the contractors table. */
  readonly contractorWrites: { readonly upsert: readonly FileContractor[]; readonly remove: readonly string[] };
}

export function planPolicy(desired: LoadedPolicy, running: RunningState, now: number): PolicyPlan {
  const next = desired.compiled;
  const previous = running.applied?.compiled ?? null;
  const contractors = planContractors(next, running.contractors, previous);

  const before = buildAccessIndex({
    resources: previous?.resources ?? [],
    roles: previous?.roles ?? [],
    contractors: running.contractors.filter((record) => record.status === 'active'),
    grants: [],
  });
  const after = buildAccessIndex({ resources: next.resources, roles: next.roles, contractors: contractors.after, grants: [] });
  const access = diffAccess(before, after, now).map(
    (change): PlanChange => ({
      kind: change.direction === 'gained' ? 'access.gained' : 'access.lost',
      subject: change.email,
      text: `${change.email} ${change.direction === 'gained' ? 'gains' : 'loses'} ${change.action} on ${change.resources.join(', ')}`,
    }),
  );

  const masks = diffMaskAccess(before, after).map(
    (change): PlanChange => ({ kind: change.direction === 'gained' ? 'access.gained' : 'access.lost', subject: change.email, text: change.text }),
  );

  const changes = [
    ...settingsChanges(next.settings, previous?.settings ?? null),
    ...diffNamed('resource', next.resources, previous?.resources ?? [], (r) => r.name, describeResource, resourceDifferences),
    ...diffNamed('role', next.roles, previous?.roles ?? [], (r) => r.name, describeRole, roleDifferences),
    ...diffNamed('staff', next.staff, previous?.staff ?? [], (s) => s.email, describeStaff, staffDifferences),
    ...diffApprovals(next.approvals ?? [], previous?.approvals ?? []),
    ...diffWebhooks(next.webhooks ?? [], previous?.webhooks ?? []),
    ...diffGuardrails(next.guardrails ?? [], previous?.guardrails ?? []),
    ...contractors.changes,
    ...access,
    ...masks,
  ].sort((a, b) => KIND_ORDER[group(a.kind)] - KIND_ORDER[group(b.kind)] || ordinal(a.subject, b.subject));

  return {
    digest: desired.digest,
    previousDigest: running.applied?.digest ?? null,
    changes,
    hasChanges: changes.length > 0,
    contractorWrites: contractors.writes,
  };
}

/** Renders a plan for a terminal: `+` added or gained, `-` removed or lost, `~` changed, then a summary line. */
export function formatPlan(plan: PolicyPlan): string {
  if (!plan.hasChanges) return 'No changes. The running state matches the files.\n';
  const previous = plan.previousDigest === null ? 'nothing applied yet' : `running ${plan.previousDigest.slice(0, 12)}`;
  const lines = [`Policy ${plan.digest.slice(0, 12)} (${previous})`, ''];
  const edits = plan.changes.filter((change) => group(change.kind) !== 'access');
  const access = plan.changes.filter((change) => group(change.kind) === 'access');
  for (const change of edits) lines.push(`  ${marker(change.kind)} ${change.text}`);
  if (access.length > 0) {
    if (edits.length > 0) lines.push('');
    lines.push('Access after apply:');
    for (const change of access) lines.push(`  ${marker(change.kind)} ${change.text}`);
  }
  let summary = `${edits.length} ${edits.length === 1 ? 'change' : 'changes'}: `;
  summary += `${tally(edits, '+')} to add, ${tally(edits, '~')} to change, ${tally(edits, '-')} to remove`;
  if (access.length > 0) summary += `; access: ${tally(access, '+')} gained, ${tally(access, '-')} lost`;
  lines.push('', `${summary}.`);
  return `${lines.join('\n')}\n`;
}

function tally(changes: readonly PlanChange[], m: '+' | '-' | '~'): number {
  return changes.filter((change) => marker(change.kind) === m).length;
}

function marker(kind: PlanChangeKind): '+' | '-' | '~' {
  if (kind.endsWith('.added') || kind === 'access.gained') return '+';
  if (kind.endsWith('.removed') || kind === 'access.lost') return '-';
  return '~';
}

const KIND_ORDER = { settings: 0, resource: 1, role: 2, staff: 3, approval: 3.5, guardrail: 3.6, webhook: 3.7, contractor: 4, access: 5 } as const;
type KindGroup = keyof typeof KIND_ORDER;

function group(kind: PlanChangeKind): KindGroup {
  return kind.slice(0, kind.indexOf('.')) as KindGroup;
}

/** Code-point order, so the plan reads the same whatever the locale. */
function ordinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- settings

/** Each setting as the files name it, rendered the way the files write it. */
function settingValues(settings: PolicySettings): [string, string][] {
  return [
    ['contractors owned by', settings.contractorsOwner],
    ['invite_ttl', formatDuration(settings.inviteTtlMs)],
    ['token_ttl', formatDuration(settings.tokenTtlMs)],
    ['default_engagement', formatDuration(settings.defaultEngagementMs)],
    // Versions applied before request_ttl existed ran with its default.
    ['request_ttl', formatDuration(settings.requestTtlMs ?? DEFAULT_REQUEST_TTL_MS)],
    // The variable's name only (its value is a secret), and only when set, so plans without masking read as before.
    ...(settings.maskingHashKeyEnv === undefined ? [] : [['masking.hash_key_env', settings.maskingHashKeyEnv] as [string, string]]),
  ];
}

function settingsChanges(next: PolicySettings, previous: PolicySettings | null): PlanChange[] {
  const was = previous === null ? null : new Map(settingValues(previous));
  const parts: string[] = [];
  for (const [label, value] of settingValues(next)) {
    const old = was?.get(label);
    if (was === null) parts.push(`${label} ${value}`);
    else if (old !== value) parts.push(`${label} ${old} → ${value}`);
  }
  if (parts.length === 0) return [];
  return [{ kind: 'settings.changed', subject: 'settings', text: `settings: ${parts.join('; ')}` }];
}

// ---------------------------------------------------------------- resources, roles, staff

function diffNamed<T>(
  kind: 'resource' | 'role' | 'staff',
  next: readonly T[],
  previous: readonly T[],
  key: (item: T) => string,
  describe: (item: T) => string,
  differences: (before: T, after: T) => string[],
): PlanChange[] {
  const before = new Map(previous.map((item) => [key(item), item]));
  const after = new Map(next.map((item) => [key(item), item]));
  const changes: PlanChange[] = [];
  for (const [name, item] of after) {
    const old = before.get(name);
    if (old === undefined) {
      changes.push({ kind: `${kind}.added`, subject: name, text: `${kind} ${name}: ${describe(item)}` });
      continue;
    }
    const parts = differences(old, item);
    // Differences are described order-independently; a pure reordering still changes the digest, so say so.
    if (parts.length === 0 && canonicalJson(old) !== canonicalJson(item)) parts.push('entries reordered, no effect on access');
    if (parts.length > 0) changes.push({ kind: `${kind}.changed`, subject: name, text: `${kind} ${name}: ${parts.join('; ')}` });
  }
  for (const name of before.keys()) {
    if (!after.has(name)) changes.push({ kind: `${kind}.removed`, subject: name, text: `${kind} ${name}` });
  }
  return changes;
}

function describeResource(resource: ResourceSpec): string {
  const parts = [`${resource.kind} at ${resource.address}`];
  if (resource.database !== undefined) parts.push(`database ${resource.database}`);
  const labels = labelsText(resource.labels);
  if (labels !== '') parts.push(`labels ${labels}`);
  return parts.join(', ');
}

function resourceDifferences(before: ResourceSpec, after: ResourceSpec): string[] {
  const parts: string[] = [];
  if (before.kind !== after.kind) parts.push(`kind ${before.kind} → ${after.kind}`);
  if (before.address !== after.address) parts.push(`address ${before.address} → ${after.address}`);
  if (before.database !== after.database) parts.push(`database ${before.database ?? '(none)'} → ${after.database ?? '(none)'}`);
  for (const key of [...new Set([...Object.keys(before.labels), ...Object.keys(after.labels)])].sort()) {
    const was = before.labels[key];
    const will = after.labels[key];
    if (was === will) continue;
    if (was === undefined) parts.push(`label ${key}=${will} added`);
    else if (will === undefined) parts.push(`label ${key}=${was} removed`);
    else parts.push(`label ${key}: ${was} → ${will}`);
  }
  // Only ever say that the reference changed: neither the old nor the new one is shown.
  const credentials = (spec: ResourceSpec): string => JSON.stringify([spec.credentials?.user ?? null, spec.credentials?.password ?? null]);
  if (credentials(before) !== credentials(after)) parts.push('credentials reference changed');
  return parts;
}

function describeRole(role: RoleInfo): string {
  const parts: string[] = [];
  if (role.grants.length > 0) parts.push(`grants ${rulesText(role.grants).join('; ')}`);
  if (role.denies.length > 0) parts.push(`denies ${rulesText(role.denies).join('; ')}`);
  if (role.maxSessionMs !== null) parts.push(`max_session ${formatDuration(role.maxSessionMs)}`);
  return parts.length > 0 ? parts.join('; ') : 'no grants';
}

function roleDifferences(before: RoleInfo, after: RoleInfo): string[] {
  const parts: string[] = [];
  for (const [label, was, will] of [
    ['grants', before.grants, after.grants],
    ['denies', before.denies, after.denies],
  ] as const) {
    const old = new Set(rulesText(was));
    const now = new Set(rulesText(will));
    const added = [...now].filter((rule) => !old.has(rule));
    const removed = [...old].filter((rule) => !now.has(rule));
    if (added.length === 0 && removed.length === 0) continue;
    const detail = [...(added.length > 0 ? [`added ${added.join(', ')}`] : []), ...(removed.length > 0 ? [`removed ${removed.join(', ')}`] : [])];
    parts.push(`${label} changed (${detail.join('; ')})`);
  }
  if (before.maxSessionMs !== after.maxSessionMs) parts.push(`max_session ${showBound(before.maxSessionMs)} → ${showBound(after.maxSessionMs)}`);
  return parts;
}

function showBound(ms: number | null): string {
  return ms === null ? 'unlimited' : formatDuration(ms);
}

function describeStaff(member: StaffMember): string {
  const groups = member.groups.length > 0 ? ` (groups ${[...member.groups].sort().join(', ')})` : '';
  return `${showList(member.roles)}${groups}`;
}

function staffDifferences(before: StaffMember, after: StaffMember): string[] {
  const parts: string[] = [];
  if (showList(before.roles) !== showList(after.roles)) parts.push(`roles ${showList(before.roles)} → ${showList(after.roles)}`);
  if (showList(before.groups) !== showList(after.groups)) parts.push(`groups ${showList(before.groups)} → ${showList(after.groups)}`);
  return parts;
}

function showList(items: readonly string[]): string {
  return items.length > 0 ? [...items].sort().join(', ') : '(none)';
}

// ---------------------------------------------------------------- contractors

interface ContractorPlan {
  readonly changes: PlanChange[];
  readonly writes: PolicyPlan['contractorWrites'];
  /** The active contractors once the writes are done. */
  readonly after: ContractorInfo[];
}

/**
 * Contractors named in the files are always managed by them. Other active
 * contractors are removed when they came from the files, or when they came
 * through the API while the files own contractors (drift); with `api`
 * ownership they are left alone. Offboarded records stay offboarded unless
 * the files declare the contractor again (see offboardedWhileDeclared).
 */
function planContractors(next: CompiledPolicy, records: readonly ContractorRecord[], previous: CompiledPolicy | null): ContractorPlan {
  const running = new Map(records.map((record) => [record.email.toLowerCase(), record]));
  const declared = new Map(next.contractors.map((contractor) => [contractor.email.toLowerCase(), contractor]));
  const changes: PlanChange[] = [];
  const upsert: FileContractor[] = [];
  const remove: string[] = [];
  const after = new Map<string, ContractorInfo>();
  for (const record of records) if (record.status === 'active') after.set(record.email.toLowerCase(), record);

  for (const [email, contractor] of declared) {
    const record = running.get(email);
    if (record?.status === 'offboarded' && offboardedWhileDeclared(contractor, previous)) continue;
    const parts = record === undefined || record.status !== 'active' ? null : contractorDifferences(record, contractor);
    if (parts === null) {
      const again = record?.status === 'offboarded' ? 'declared again after offboarding; ' : '';
      changes.push({ kind: 'contractor.added', subject: contractor.email, text: `contractor ${contractor.email}: ${again}${describeContractor(contractor)}` });
    } else if (record?.source === 'api') {
      const text = ['added through the API, now owned by the files', ...parts].join('; ');
      changes.push({ kind: 'contractor.changed', subject: contractor.email, text: `contractor ${contractor.email}: ${text}` });
    } else if (parts.length > 0) {
      changes.push({ kind: 'contractor.changed', subject: contractor.email, text: `contractor ${contractor.email}: ${parts.join('; ')}` });
    } else {
      continue;
    }
    upsert.push(contractor);
    after.set(email, { email: contractor.email, roles: contractor.roles, untilAt: contractor.untilAt, status: 'active' });
  }

  for (const [email, record] of running) {
    if (record.status !== 'active' || declared.has(email)) continue;
    let text: string;
    if (record.source === 'files') text = `contractor ${record.email}: no longer in the files, so apply removes them`;
    else if (next.settings.contractorsOwner === 'files') {
      text = `contractor ${record.email} was added through the API; contractors are owned by the files, so apply removes them`;
    } else continue;
    changes.push({ kind: 'contractor.removed', subject: record.email, text });
    remove.push(record.email);
    after.delete(email);
  }

  upsert.sort((a, b) => ordinal(a.email, b.email));
  remove.sort(ordinal);
  return { changes, writes: { upsert, remove }, after: [...after.values()] };
}

/**
 * A contractor offboarded while the files still declared them (by hand, or at
 * the engagement end) stays offboarded while the files keep the engagement end
 * the previous policy had: re-applying unchanged files must not undo an
 * offboarding. A new `until` (an extension), or declaring them again after an
 * apply removed them, brings them back.
 */
function offboardedWhileDeclared(contractor: FileContractor, previous: CompiledPolicy | null): boolean {
  const before = previous?.contractors.find((c) => c.email.toLowerCase() === contractor.email.toLowerCase());
  return before !== undefined && before.untilAt === contractor.untilAt;
}

function describeContractor(contractor: FileContractor): string {
  return `${contractor.name} (${contractor.company}), sponsor ${contractor.sponsor}, roles ${showList(contractor.roles)}, until ${showEnd(contractor.untilAt)}`;
}

function contractorDifferences(before: FileContractor, after: FileContractor): string[] {
  const parts: string[] = [];
  for (const key of ['name', 'company', 'sponsor'] as const) {
    if (before[key] !== after[key]) parts.push(`${key} ${before[key]} → ${after[key]}`);
  }
  if (showList(before.roles) !== showList(after.roles)) parts.push(`roles ${showList(before.roles)} → ${showList(after.roles)}`);
  if (before.untilAt !== after.untilAt) parts.push(`until ${showEnd(before.untilAt)} → ${showEnd(after.untilAt)}`);
  return parts;
}

const DAY_MS = 86_400_000;

/** An end at midnight UTC is shown as the day it runs through, as the files write it (`until: 2027-03-31`). */
function showEnd(untilAt: number): string {
  return untilAt % DAY_MS === 0 ? isoString(untilAt - DAY_MS).slice(0, 10) : isoString(untilAt);
}
