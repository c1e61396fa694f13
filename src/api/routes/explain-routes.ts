import { z } from 'zod';
import type { AccessIdentity } from '../../access/decide.ts';
import type { Decision } from '../../access/decision.ts';
import { limitsAtStart, mayChangeData } from '../../access/statement-session-settings.ts';
import type { AccessState } from '../../control/access-state.ts';
import { StintError } from '../../errors/stint-error.ts';
import { maskedColumnsOf, maskText, type MaskSet } from '../../masking/mask-rules.ts';
import { StatementGate } from '../../proxies/postgres/postgres-statement-gate.ts';
import { classifySql, loadSqlParser } from '../../sql/classify-sql.ts';
import type { StatementInfo } from '../../sql/sql-types.ts';
import { route, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import { EmailField } from './request-fields.ts';

/**
 * `POST /v1/explain`: what the gateway would do with some SQL, statement by
 * statement, for a contractor on a resource, without running anything. The
 * decision comes from the same StatementGate a live session uses, so the
 * answer cannot drift from what the gateway enforces.
 */

export interface ExplainDecision {
  readonly allow: boolean;
  readonly reason: string;
  readonly message: string;
  /** Refusals: what the client would read as DETAIL and HINT. */
  readonly detail?: string;
  readonly hint?: string;
  /** The role, grant or guardrail behind the decision, as the message names it. */
  readonly rule?: string;
}

export interface ExplainedStatement {
  readonly text: string;
  readonly class: string;
  readonly command: string;
  /** The action the decision was asked for (the class, raised to what an EXECUTE runs). */
  readonly action?: string;
  readonly tablesRead: readonly string[];
  readonly tablesWritten: readonly string[];
  readonly functions: readonly string[];
  readonly unsafeReasons: readonly string[];
  /** Columns of the tables it reads that the contractor sees masked: `public.customers.email (redact)`. */
  readonly maskedColumns: readonly string[];
  readonly decision: ExplainDecision;
}

export interface ExplainResult {
  readonly resource: string;
  readonly as: string;
  /** True when every statement would be allowed. */
  readonly allowed: boolean;
  readonly statements: readonly ExplainedStatement[];
  /** Every mask that applies to the contractor on the resource. */
  readonly masks: readonly string[];
}

const STAFF_ROLES = ['admin', 'auditor', 'approver'] as const;

const ExplainBody = z
  .object({
    sql: z.string().min(1).max(1_000_000),
    resource: z.string().min(1).max(63),
    as: EmailField.optional(),
  })
  .strict();

export function explainRoutes(services: ApiServices): ApiRoute[] {
  return [
    route({
      method: 'POST',
      url: '/v1/explain',
      summary: 'How the gateway would classify and decide each statement of some SQL, for a contractor on a resource; nothing runs',
      tag: 'explain',
      access: ['contractor', 'auditor', 'approver'],
      body: ExplainBody,
      handler: async ({ body, principal }) => {
        if (principal === null) throw new StintError('STINT_ERR_UNAUTHENTICATED');
        const isStaff = principal.apiRoles.some((role) => (STAFF_ROLES as readonly string[]).includes(role));
        const as = body.as ?? (principal.kind === 'contractor' ? principal.email : undefined);
        if (as === undefined) throw new StintError('STINT_ERR_BAD_REQUEST', 'Say which contractor to explain for: pass "as" (stint explain ... --as EMAIL).');
        if (as.toLowerCase() !== principal.email.toLowerCase() && !isStaff) {
          throw new StintError('STINT_ERR_FORBIDDEN', 'Contractors may explain SQL only for themselves; leave out --as.');
        }
        await loadSqlParser();
        return explainSql(services.access, body.sql, body.resource, as.toLowerCase());
      },
    }),
  ];
}

export function explainSql(access: AccessState, sql: string, resource: string, email: string): ExplainResult {
  if (access.resource(resource) === undefined) {
    throw new StintError('STINT_ERR_BAD_REQUEST', `There is no resource named "${resource}"; check the name (stint connect lists yours).`);
  }
  const classified = classifySql(sql);
  if (!classified.ok) {
    const where = classified.position === undefined ? '' : ` at character ${classified.position}`;
    throw new StintError('STINT_ERR_BAD_REQUEST', `The SQL cannot be parsed${where}: ${classified.error}. The gateway refuses SQL it cannot parse.`);
  }
  if (classified.statements.length === 0) throw new StintError('STINT_ERR_BAD_REQUEST', 'The SQL holds no statement.');
  // A session starting now: no token expiry (explain asks about the person, not a token), the settings it would start with.
  const identity: AccessIdentity = { email, tokenExpiresAt: null };
  const index = access.index();
  const anyTable = { tablesRead: [], tablesWritten: [] };
  const limits = limitsAtStart(index, resource, mayChangeData((action) => access.decideStatement(identity, resource, action, anyTable)));
  const gate = new StatementGate({ access, identity, resource, settings: { limits: () => limits } });
  const masks = index.masks(email, resource);
  const statements = classified.statements.map((info) => explainOne(gate, info, masks));
  return {
    resource,
    as: email,
    allowed: statements.every((statement) => statement.decision.allow),
    statements,
    masks: masks === undefined ? [] : masks.masks.map(maskText),
  };
}

function explainOne(gate: StatementGate, info: StatementInfo, masks: MaskSet | undefined): ExplainedStatement {
  const judged = gate.judgeQuery(info.text, { ok: true, statements: [info] });
  const base = {
    text: info.text,
    class: info.class,
    command: info.command,
    tablesRead: info.tablesRead,
    tablesWritten: info.tablesWritten,
    functions: info.functions,
    unsafeReasons: info.unsafeReasons ?? [],
    maskedColumns: maskedColumns(info, masks),
  };
  if (judged.allow) {
    const statement = judged.statements[0];
    if (statement === undefined) throw new Error('an allowed statement was not judged');
    return { ...base, action: statement.action, decision: allowed(statement.decision) };
  }
  const { refusal, action } = judged;
  const rule = refusal.reason === 'DENY_READ_ONLY_SESSION' ? 'the read-only mode of sessions without write access' : ruleBehind(`${refusal.detail ?? ''} ${refusal.hint ?? ''}`);
  return {
    ...base,
    ...(action === undefined ? {} : { action }),
    decision: {
      allow: false,
      reason: refusal.reason,
      message: refusal.message,
      ...(refusal.detail === undefined ? {} : { detail: refusal.detail }),
      ...(refusal.hint === undefined ? {} : { hint: refusal.hint }),
      ...(rule === undefined ? {} : { rule }),
    },
  };
}

function allowed(decision: Decision): ExplainDecision {
  const rule = ruleBehind(decision.message);
  return { allow: true, reason: decision.reason, message: decision.message, ...(rule === undefined ? {} : { rule }) };
}

/** The guardrail, role(s) or grant a decision message names (messages are built in access/decision-messages.ts). */
export function ruleBehind(text: string): string | undefined {
  const guardrail = /guardrail #\d+ \([^)]*\)/.exec(text);
  if (guardrail !== null) return guardrail[0];
  const roles = /\b(?:through|by) (roles? [a-z0-9_-]+(?:, [a-z0-9_-]+)*)/.exec(text);
  if (roles !== null) return roles[1];
  const grant = /\bthrough grant (\S+?)(?=[\s;.,]|$)/.exec(text);
  if (grant !== null) return `grant ${grant[1]}`;
  return undefined;
}

function maskedColumns(info: StatementInfo, masks: MaskSet | undefined): string[] {
  if (masks === undefined) return [];
  const columns: string[] = [];
  for (const table of info.tablesRead) {
    const parts = table.toLowerCase().split('.');
    const [schema, name] = parts.length >= 2 ? [parts.at(-2)!, parts.at(-1)!] : ['public', parts[0]!];
    for (const column of maskedColumnsOf(masks, schema, name)) columns.push(`${schema}.${name}.${column}`);
  }
  return columns;
}
