/**
 * The shape of ONE policy file, as a zod schema. It is the single source for
 * validation, for the JSON Schema editors use (every field carries a
 * description), and for the hints behind each error's `fix`.
 *
 * Checks that need more than one field or more than one file (undeclared
 * roles, duplicates across files) live in policy-references.ts and
 * policy-merge.ts; this file only knows what one value may look like.
 */
import { z } from 'zod';
import { ACTIONS, BLOCKABLE_STATEMENTS } from '../access/access-model.ts';
import { TABLE_PATTERN } from '../access/table-scope.ts';
import { COLUMN_PATTERN, MASK_STRATEGIES } from '../masking/mask-rules.ts';
import { DOMAIN_EVENT_TYPES } from '../events/event-bus.ts';
import { tryParseDuration } from '../time/duration.ts';
import { tryParseEndInstant } from '../time/instant.ts';
import { STAFF_ROLES, WEBHOOK_FORMATS } from './policy-types.ts';
import { secretRefProblem } from './policy-secrets.ts';

/** Extra help attached to a schema node: the `fix` an error there suggests, and what to call its values. */
export interface FieldHint {
  readonly fix?: string;
  readonly noun?: string;
}

export const policyHints = z.registry<FieldHint>();

export const RESOURCE_KINDS = ['postgres'] as const;
export const CONTRACTOR_OWNERS = ['files', 'api'] as const;

export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const LABEL_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;
const DURATION_PATTERN = '^(\\d+(ms|s|m|h|d|w))+$';
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$';
const ADDRESS_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;
const SECRET_PATTERN = '^(env:[A-Za-z_][A-Za-z0-9_]*|file:/.+)$';

const NAME_FIX = 'Names use lower-case letters, digits, "-" and "_", start with a letter or digit, and are at most 63 characters.';
const DURATION_FIX = 'Write a number and a unit (ms, s, m, h, d, w), e.g. 30m, 8h, 72h, 30d or 1h30m.';
const DATE_FIX = 'Write YYYY-MM-DD (access lasts through that day, UTC) or a full ISO 8601 timestamp with a zone, e.g. 2027-03-31T18:00:00Z.';
const EMAIL_FIX = 'Write the full email address, e.g. alice@vendor.example.';

function hinted<T extends z.ZodType>(schema: T, description: string, hint: FieldHint = {}): T {
  const described = schema.describe(description);
  policyHints.add(described, hint);
  return described;
}

/**
 * A mapping whose keys are names or emails. zod skips a record's values when
 * a key is invalid; checking the keys separately (`when` forces the check to
 * run alongside value errors) keeps "report every problem" true.
 */
function keyedRecord<V extends z.ZodType>(key: z.ZodString | z.ZodEmail, value: V) {
  const keyHint = policyHints.get(key) ?? {};
  const { $schema: _ignored, ...propertyNames } = z.toJSONSchema(key);
  return z
    .record(z.string(), value)
    .superRefine(
      (entries, ctx) => {
        for (const name of Object.keys(entries)) {
          if (key.safeParse(name).success) continue;
          ctx.addIssue({ code: 'custom', path: [name], input: name, message: `"${name}" is not a valid ${keyHint.noun ?? 'key'}`, params: { fix: keyHint.fix, key: true } });
        }
      },
      { when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) },
    )
    .meta({ propertyNames });
}

function nameSchema(what: string): z.ZodString {
  return hinted(z.string().regex(NAME_PATTERN), `The ${what} name. ${NAME_FIX}`, { fix: NAME_FIX, noun: `${what} name` });
}

function durationSchema(description: string): z.ZodString {
  const schema = z
    .string()
    .check((ctx) => {
      if (tryParseDuration(ctx.value) === undefined) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: `"${ctx.value}" is not a duration`, params: { fix: DURATION_FIX } });
      }
    })
    .meta({ pattern: DURATION_PATTERN });
  return hinted(schema, `${description} A duration such as 30m, 8h, 72h or 30d.`, { fix: DURATION_FIX, noun: 'duration' });
}

function emailSchema(description: string): z.ZodEmail {
  return hinted(z.email(), `${description} Compared case-insensitively.`, { fix: EMAIL_FIX, noun: 'email address' });
}

const untilSchema = hinted(
  z
    .string()
    .check((ctx) => {
      if (tryParseEndInstant(ctx.value) === undefined) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: `"${ctx.value}" is not a date`, params: { fix: DATE_FIX } });
      }
    })
    .meta({ pattern: DATE_PATTERN }),
  'When the engagement ends: YYYY-MM-DD means through that day (UTC); a timestamp must carry a zone. Access, tokens and sessions end at this instant.',
  { fix: DATE_FIX, noun: 'date' },
);

const addressSchema = hinted(
  z
    .string()
    .check((ctx) => {
      const port = ADDRESS_PATTERN.exec(ctx.value)?.[1];
      if (port === undefined || Number(port) < 1 || Number(port) > 65535) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `"${ctx.value}" is not a host:port address`,
          params: { fix: 'Write host:port with a port from 1 to 65535, e.g. db.internal:5432 or "[::1]:5432" (quote IPv6 addresses).' },
        });
      }
    })
    .meta({ pattern: ADDRESS_PATTERN.source }),
  'Where the real target listens, as host:port (IPv6 as "[::1]:5432", quoted). Only the gateway connects here.',
);

const secretRefSchema = hinted(
  z
    .string()
    .check((ctx) => {
      const problem = secretRefProblem(ctx.value);
      // The message never repeats the value: it may be a real password written inline.
      if (problem !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem.message, params: { fix: problem.fix } });
    })
    .meta({ pattern: SECRET_PATTERN }),
  'A reference to the password, never the password itself: env:NAME (an environment variable of the gateway) or file:/absolute/path.',
);

const credentialsSchema = hinted(
  z.strictObject({
    user: hinted(z.string().min(1), 'The user the gateway logs in as on the target.'),
    password: secretRefSchema.optional(),
  }),
  'The credential the gateway injects; contractors never see it.',
);

const labelsSchema = hinted(
  keyedRecord(
    hinted(z.string().regex(LABEL_KEY_PATTERN), 'A label key: lower-case letters, digits, ".", "-" and "_".', {
      fix: 'Label keys use lower-case letters, digits, ".", "-" and "_", and start with a letter or digit.',
      noun: 'label key',
    }),
    hinted(z.string(), 'A label value (text; quote numbers, e.g. "15").', { fix: 'Quote the value so it is text, e.g. version: "15".' }),
  ),
  'Labels (key: value text) that roles select resources by.',
);

const resourceSchema = hinted(
  z.strictObject({
    kind: hinted(z.enum(RESOURCE_KINDS), `The protocol of the target. Supported: ${RESOURCE_KINDS.join(', ')}.`, { noun: 'resource kind' }),
    address: addressSchema,
    database: hinted(z.string().min(1), 'The database on the target to connect to (defaults to what the client asks for).').optional(),
    credentials: credentialsSchema.optional(),
    tls: hinted(
      z.enum(['disable', 'prefer', 'require', 'verify-full']),
      'TLS from the gateway to the target, as libpq sslmode: disable, prefer (default), require, or verify-full (checks the certificate against tls_ca).',
      { noun: 'TLS mode' },
    ).optional(),
    tls_ca: secretRefSchema
      .describe('The CA certificate (PEM) the target’s certificate must chain to for tls: verify-full, as env:NAME or file:/absolute/path.')
      .optional(),
    labels: labelsSchema.optional(),
  }),
  'A target contractors reach through the gateway. Clients connect with this resource name as the database name.',
);

const selectorLabelsSchema = hinted(
  labelsSchema.check((ctx) => {
    // An empty selector would match every resource, the opposite of what anyone writing it means.
    if (Object.keys(ctx.value).length === 0) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: 'An empty label selector would match every resource', params: { fix: 'List at least one label, e.g. labels: { env: dev }, or select by names.' } });
    }
  }).meta({ minProperties: 1 }),
  'Selects every resource carrying ALL of these labels.',
);

const selectorSchema = hinted(
  z.strictObject({
    names: hinted(z.array(hinted(z.string(), 'A declared resource name.')).min(1), 'Selects these resources by name.').optional(),
    labels: selectorLabelsSchema.optional(),
  }),
  'Which resources the rule covers: by names, by labels, or both (a resource matching either is covered). At least one is required.',
);

const TABLE_FIX = 'Write schema.table or schema.* in lower case, e.g. public.orders or "reporting.*" (quote patterns with *).';

const tablePatternSchema = hinted(
  z.string().check((ctx) => {
    if (!TABLE_PATTERN.test(ctx.value.toLowerCase())) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `"${ctx.value}" is not a table pattern`, params: { fix: TABLE_FIX } });
    }
  }).meta({ pattern: TABLE_PATTERN.source }),
  'A table, schema.table, or every table of a schema, schema.*. Unqualified table names in statements mean public.<name>.',
  { fix: TABLE_FIX, noun: 'table pattern' },
);

const COLUMN_FIX = 'Write table.column, schema.table.column or "*.column" in lower case, e.g. customers.email or "*.ssn" (quote patterns with *).';

const columnPatternSchema = hinted(
  z.string().check((ctx) => {
    if (!COLUMN_PATTERN.test(ctx.value.toLowerCase())) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: `"${ctx.value}" is not a column pattern`, params: { fix: COLUMN_FIX } });
    }
  }).meta({ pattern: COLUMN_PATTERN.source }),
  'A column: table.column (table in public), schema.table.column, or *.column for that column in every table.',
  { fix: COLUMN_FIX, noun: 'column pattern' },
);

const MASK_FIX = 'Write a column pattern (redacted), or { column: customers.phone, strategy: partial, keep: 4 }; strategies: redact, hash, partial.';

/** A mask is a string or an object; say what is wrong with the form that was written, not "invalid input". */
function maskEntryError(issue: { input?: unknown; errors?: unknown }): string {
  const input = issue.input;
  if (typeof input === 'string') return `"${input}" is not a column pattern`;
  const branches = Array.isArray(issue.errors) ? (issue.errors as { path?: PropertyKey[]; message?: string }[][]) : [];
  const nested = input !== null && typeof input === 'object' ? branches[1]?.[0] : undefined;
  if (nested?.message === undefined) return 'A mask is a column pattern or { column, strategy, keep }';
  const where = (nested.path ?? []).map(String).join('.');
  return where === '' ? nested.message : `${where}: ${nested.message}`;
}

const maskEntrySchema = hinted(
  z.union(
    [
    columnPatternSchema,
    z
      .strictObject({
        column: columnPatternSchema,
        strategy: hinted(z.enum(MASK_STRATEGIES), `How values are hidden: ${MASK_STRATEGIES.join(', ')}. Default redact.`, { noun: 'mask strategy' }).optional(),
        keep: hinted(z.number().int().min(1).max(64), 'partial: how many trailing characters stay readable (1 to 64).', { fix: 'Write a whole number from 1 to 64, e.g. keep: 4.' }).optional(),
      })
      .check((ctx) => {
        const partial = ctx.value.strategy === 'partial';
        if (partial && ctx.value.keep === undefined) {
          ctx.issues.push({ code: 'custom', input: ctx.value, path: ['keep'], message: 'A partial mask needs keep', params: { fix: 'Add keep: N, the number of trailing characters left readable, e.g. keep: 4.' } });
        } else if (!partial && ctx.value.keep !== undefined) {
          ctx.issues.push({ code: 'custom', input: ctx.value, path: ['keep'], message: 'keep applies only to strategy: partial', params: { fix: 'Remove keep, or write strategy: partial.' } });
        }
      }),
    ],
    { error: maskEntryError },
  ),
  'A masked column: a column pattern (strategy redact), or { column, strategy: redact | hash | partial, keep } for partial. See docs/masking.md.',
  { fix: MASK_FIX, noun: 'mask' },
);

const ruleSchema = hinted(
  z.strictObject({
    resources: selectorSchema,
    actions: hinted(
      z.array(hinted(z.enum(ACTIONS), `An action: ${ACTIONS.join(', ')}.`, { noun: 'action' })).min(1),
      `What the rule covers: ${ACTIONS.join(', ')}.`,
      { fix: `List at least one action: ${ACTIONS.join(', ')}.` },
    ),
    tables: hinted(z.array(tablePatternSchema).min(1), 'Limits the rule to these tables (default: every table). A statement is allowed only if every table it touches is covered.', {
      fix: TABLE_FIX,
    }).optional(),
    mask: hinted(
      z.array(maskEntrySchema).min(1),
      'Grant rules only: columns whose values contractors under this rule see masked, never in clear; statements that would use them otherwise (filters, expressions, copies) are refused. Any rule masking a column masks it. See docs/masking.md.',
      { fix: MASK_FIX },
    ).optional(),
  }),
  'A rule: some actions on some resources.',
);

const roleSchema = hinted(
  z.strictObject({
    grants: hinted(z.array(ruleSchema), 'What the role allows. Everything not granted is denied.').optional(),
    deny: hinted(z.array(ruleSchema), 'What the role forbids. A deny beats every allow, from this role or any other the person holds.').optional(),
    max_session: durationSchema('The longest a single session under this role may last.').optional(),
  }),
  'A named bundle of access that contractors are given.',
);

const contractorSchema = hinted(
  z.strictObject({
    name: hinted(z.string().min(1), 'The contractor’s full name.'),
    company: hinted(z.string(), 'The company the contractor works for (may be left out for freelancers).').optional(),
    sponsor: emailSchema('The staff member accountable for this contractor.'),
    roles: hinted(z.array(hinted(z.string().min(1), 'A role declared under roles.')).min(1), 'The roles the contractor holds.', {
      fix: 'List at least one role declared under roles.',
    }),
    until: untilSchema,
  }),
  'An external person with time-bound access. The key is their email address.',
);

const staffSchema = hinted(
  z.strictObject({
    name: hinted(z.string().min(1), 'The staff member’s full name.').optional(),
    roles: hinted(
      z.array(hinted(z.enum(STAFF_ROLES), `A staff role: ${STAFF_ROLES.join(', ')}.`, { noun: 'staff role' })).min(1),
      'What the staff member may do in Stint: admin (manage everything), approver (decide access requests), auditor (read the audit log).',
      { fix: `List at least one of: ${STAFF_ROLES.join(', ')}.` },
    ),
    groups: hinted(z.array(hinted(z.string().min(1), 'A group name.')), 'Groups the staff member belongs to (approval rules can name them).').optional(),
  }),
  'A member of your own organisation who runs Stint. The key is their email address.',
);

const APPROVER_FIX = 'Write a staff email declared under staff, or group:<name> for a group staff members list under groups.';

const approverSchema = hinted(
  z.string().check((ctx) => {
    const value = ctx.value;
    if (value.startsWith('group:') ? value.length > 'group:'.length && !/\s/.test(value) : z.email().safeParse(value).success) return;
    ctx.issues.push({ code: 'custom', input: value, message: `"${value}" is neither a staff email nor group:<name>`, params: { fix: APPROVER_FIX } });
  }).meta({ pattern: '^(group:\\S+|[^@\\s]+@[^@\\s]+)$' }),
  'Who may approve: a staff email, or group:<name> for every staff member in that group.',
  { fix: APPROVER_FIX, noun: 'approver' },
);

const approvalRuleSchema = hinted(
  z.strictObject({
    resources: selectorSchema,
    actions: hinted(
      z.array(hinted(z.enum(ACTIONS), `An action: ${ACTIONS.join(', ')}.`, { noun: 'action' })).min(1),
      `What contractors may request under this rule: ${ACTIONS.join(', ')}.`,
      { fix: `List at least one action: ${ACTIONS.join(', ')}.` },
    ),
    approvers: hinted(z.array(approverSchema).min(1), 'Staff who may approve: emails and group:<name> entries. A requester never approves their own request.', {
      fix: APPROVER_FIX,
    }),
    min_approvals: hinted(z.number().int().min(1), 'How many distinct approvers must approve before access is granted. Default 1.', {
      fix: 'Write a whole number of at least 1, e.g. min_approvals: 2.',
    }).optional(),
    max_duration: durationSchema('The longest grant this rule allows; a request for longer is refused.'),
    require_reason: hinted(z.boolean(), 'Whether a request must say why (e.g. a ticket). Default false.', { fix: 'Write true or false.' }).optional(),
  }),
  'An approval rule: which actions on which resources contractors may request, who approves, and for how long at most.',
);

const guardrailActionsSchema = (description: string) =>
  hinted(z.array(hinted(z.enum(ACTIONS), `A statement class: ${ACTIONS.join(', ')}.`, { noun: 'statement class' })).min(1), description, {
    fix: `List at least one of: ${ACTIONS.join(', ')}.`,
  });

/** PostgreSQL holds statement_timeout as a signed 32-bit count of milliseconds. */
export const MAX_STATEMENT_TIMEOUT_MS = 2_147_483_647;

const statementTimeoutSchema = hinted(
  z
    .string()
    .check((ctx) => {
      const ms = tryParseDuration(ctx.value);
      if (ms === undefined) {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: `"${ctx.value}" is not a duration`, params: { fix: DURATION_FIX } });
      } else if (ms > MAX_STATEMENT_TIMEOUT_MS) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `"${ctx.value}" is longer than the largest statement_timeout PostgreSQL accepts (about 24 days)`,
          params: { fix: 'Write a shorter duration, e.g. 60s, 15m or 2h.' },
        });
      }
    })
    .meta({ pattern: DURATION_PATTERN }),
  'The longest a single statement may run on these resources: sessions run with this statement_timeout and may lower it, never raise it or turn it off. The smallest of all guardrails on a resource applies. A duration such as 60s, 15m or 2h.',
  { fix: DURATION_FIX, noun: 'duration' },
);

const guardrailSchema = hinted(
  z.strictObject({
    resources: selectorSchema,
    deny: guardrailActionsSchema('Statement classes refused on these resources whatever any role grants.').optional(),
    require_approval: guardrailActionsSchema('Statement classes allowed only through an approved access request (stint request), never through a role.').optional(),
    block: hinted(
      z.array(hinted(z.enum(BLOCKABLE_STATEMENTS), `A statement shape: ${BLOCKABLE_STATEMENTS.join(', ')}.`, { noun: 'statement shape' })).min(1),
      'Statement shapes refused outright: DELETE or UPDATE without a WHERE clause (anywhere, CTEs included), TRUNCATE.',
      { fix: `List at least one of: ${BLOCKABLE_STATEMENTS.join(', ')}.` },
    ).optional(),
    statement_timeout: statementTimeoutSchema.optional(),
    max_rows: hinted(
      z.number().int().min(1).max(2_147_483_647),
      'The most rows one result may return to a contractor on these resources; rows beyond it are cut and the contractor is told. The smallest of all guardrails on a resource applies.',
      { fix: 'Write a whole number of at least 1, e.g. max_rows: 10000.' },
    ).optional(),
  }),
  'A guardrail: rules on some resources that hold whatever the roles say. Guardrails beat roles; deny beats allow.',
);

const WEBHOOK_URL_FIX = 'Write an http:// or https:// URL without a user or password in it, or env:NAME / file:/absolute/path naming where the URL is kept.';
const WEBHOOK_EVENTS_FIX = `List event types (${DOMAIN_EVENT_TYPES.join(', ')}), or write ["*"] for every event.`;

const webhookUrlSchema = hinted(
  z
    .string()
    .check((ctx) => {
      const value = ctx.value;
      if (value.startsWith('env:') || value.startsWith('file:')) {
        const problem = secretRefProblem(value);
        if (problem !== undefined) ctx.issues.push({ code: 'custom', input: value, message: problem.message, params: { fix: problem.fix } });
        return;
      }
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
        ctx.issues.push({ code: 'custom', input: value, message: `"${value}" is not an http:// or https:// URL`, params: { fix: WEBHOOK_URL_FIX } });
      } else if (url.username !== '' || url.password !== '') {
        // The message does not repeat the URL: it carries a credential.
        ctx.issues.push({ code: 'custom', input: value, message: 'The URL carries a user or password; policy files never hold secrets', params: { fix: WEBHOOK_URL_FIX } });
      }
    }),
  'Where to POST events: an http:// or https:// URL (loopback addresses allowed), or env:NAME / file:/absolute/path holding the URL when the URL is itself a secret (e.g. a Slack incoming webhook).',
  { fix: WEBHOOK_URL_FIX },
);

const webhookSecretSchema = hinted(
  z.string().check((ctx) => {
    const problem = secretRefProblem(ctx.value);
    if (problem === undefined) return;
    const inline = !ctx.value.startsWith('env:') && !ctx.value.startsWith('file:');
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message: inline ? 'The secret is written inline; policy files never hold secrets' : problem.message,
      params: { fix: inline ? 'Put the secret in an environment variable of the server and write secret: env:NAME, or in a file and write secret: file:/absolute/path.' : problem.fix },
    });
  }),
  'A reference to the signing secret (env:NAME or file:/absolute/path), never the secret itself. Bodies are signed with HMAC-SHA256 under it (header Stint-Signature).',
);

const webhookSchema = hinted(
  z
    .strictObject({
      url: webhookUrlSchema,
      events: hinted(
        z.array(hinted(z.enum([...DOMAIN_EVENT_TYPES, '*']), 'An event type, or "*" for every event.', { noun: 'event type', fix: WEBHOOK_EVENTS_FIX })).min(1),
        'The events sent to this webhook.',
        { fix: WEBHOOK_EVENTS_FIX },
      ),
      secret: webhookSecretSchema.optional(),
      format: hinted(z.enum(WEBHOOK_FORMATS), 'json (default): the signed event as JSON. slack: a Slack-compatible { "text": … } message.', { noun: 'webhook format' }).optional(),
    })
    .check((ctx) => {
      if ((ctx.value.format ?? 'json') === 'json' && ctx.value.secret === undefined) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          path: ['secret'],
          message: 'A json webhook needs a secret, so receivers can check each body came from Stint',
          params: { fix: 'Add secret: env:NAME (or file:/absolute/path) naming the signing secret; see docs/webhooks.md.' },
        });
      }
    }),
  'An outgoing webhook: Stint POSTs the listed events to the URL, signed, from a durable queue with retries.',
);

const settingsSchema = hinted(
  z.strictObject({
    contractors: hinted(
      z.enum(CONTRACTOR_OWNERS),
      'Who owns the list of contractors: files (default; anyone added another way is drift and removed by apply) or api (invites add contractors; the files may still list some).',
      { noun: 'contractors owner' },
    ).optional(),
    invite_ttl: durationSchema('How long an invite stays valid. Default 72h.').optional(),
    token_ttl: durationSchema('Longest lifetime of a token issued without an explicit TTL; tokens never outlive the engagement. Default 30d.').optional(),
    default_engagement: durationSchema('Engagement length for an invite that names no end date. Default 30d.').optional(),
    request_ttl: durationSchema('How long an access request waits for its approvals before it expires. Default 1h.').optional(),
    masking: hinted(
      z.strictObject({
        hash_key_env: hinted(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
          'The environment variable of the gateway holding the secret key of hash masks (HMAC-SHA-256). Required when any mask uses strategy: hash; every gateway node needs the same value.',
          { fix: 'Write the name of an environment variable, e.g. hash_key_env: STINT_MASK_HASH_KEY.' },
        ).optional(),
      }),
      'Settings of column masking (see docs/masking.md).',
    ).optional(),
  }),
  'Server-wide settings. At most one policy file may contain this section.',
);

export const policyFileSchema = hinted(
  z.strictObject({
    version: hinted(z.literal(1), 'The policy format version. Always 1.', { fix: 'Start every policy file with `version: 1`.' }),
    settings: settingsSchema.optional(),
    resources: hinted(keyedRecord(nameSchema('resource'), resourceSchema).nullable(), 'Targets reachable through the gateway, by name.').optional(),
    roles: hinted(keyedRecord(nameSchema('role'), roleSchema).nullable(), 'Roles contractors can hold, by name.').optional(),
    contractors: hinted(keyedRecord(emailSchema('The contractor’s email address.'), contractorSchema).nullable(), 'Contractors, by email address.').optional(),
    staff: hinted(keyedRecord(emailSchema('The staff member’s email address.'), staffSchema).nullable(), 'Staff who administer, approve or audit, by email address.').optional(),
    approvals: hinted(z.array(approvalRuleSchema).nullable(), 'Approval rules for just-in-time access requests. Rules from every file are combined.').optional(),
    webhooks: hinted(keyedRecord(nameSchema('webhook'), webhookSchema).nullable(), 'Outgoing webhooks that notify other systems of events, by name.').optional(),
    guardrails: hinted(z.array(guardrailSchema).nullable(), 'Guardrails on resources, numbered in order from 1 (files in name order). Guardrails from every file are combined.').optional(),
  }),
  'One Stint policy file. A policy is one file or a directory of them, merged by section.',
);

export type PolicyDocument = z.output<typeof policyFileSchema>;
export type ResourceDocument = z.output<typeof resourceSchema>;
export type RoleDocument = z.output<typeof roleSchema>;
export type RuleDocument = z.output<typeof ruleSchema>;
export type ContractorDocument = z.output<typeof contractorSchema>;
export type StaffDocument = z.output<typeof staffSchema>;
export type SettingsDocument = z.output<typeof settingsSchema>;
export type ApprovalRuleDocument = z.output<typeof approvalRuleSchema>;
export type WebhookDocument = z.output<typeof webhookSchema>;
export type GuardrailDocument = z.output<typeof guardrailSchema>;

/** The top-level keys of a policy file, in the order people usually write them. */
export const POLICY_SECTIONS = ['version', 'settings', 'resources', 'roles', 'contractors', 'staff', 'approvals', 'webhooks', 'guardrails'] as const;
