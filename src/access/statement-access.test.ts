import { describe, expect, it } from 'vitest';
import type { AccessModel, Action, GrantInfo, GuardrailRule, RoleInfo } from './access-model.ts';
import { buildAccessIndex } from './access-index.ts';
import { decideStatement, type StatementShape } from './statement-access.ts';
import { STATEMENT_REASONS } from './statement-access.test-cases.ts';
import { firstOutsideScope, qualifiedTable, tableMatches } from './table-scope.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const ALICE = 'alice@vendor.example';
const DEMO = { names: ['demo'] };

function model(roles: readonly RoleInfo[], guardrails: readonly GuardrailRule[] = [], grants: readonly GrantInfo[] = []): AccessModel {
  return {
    resources: [{ name: 'demo', kind: 'postgres', labels: { env: 'prod' } }],
    roles,
    contractors: [{ email: ALICE, roles: roles.map((role) => role.name), untilAt: NOW + 86_400_000, status: 'active' }],
    grants,
    guardrails,
  };
}

const role = (name: string, grants: RoleInfo['grants'], denies: RoleInfo['denies'] = []): RoleInfo => ({ name, grants, denies, maxSessionMs: null });
const guardrail = (parts: Partial<GuardrailRule>): GuardrailRule => ({ resources: { labels: { env: 'prod' } }, deny: [], requireApproval: [], block: [], ...parts });
const grant: GrantInfo = { id: 'g1', email: ALICE, resource: 'demo', actions: ['write'], startsAt: NOW - 1000, expiresAt: NOW + 60_000 };
const shape = (read: string[], written: string[] = [], flags: Partial<StatementShape> = {}): StatementShape => ({ tablesRead: read, tablesWritten: written, ...flags });

const SCOPED = role('scoped', [{ resources: DEMO, actions: ['read', 'write'], tables: ['public.orders', 'reporting.*'] }]);
const WIDE = role('wide', [{ resources: DEMO, actions: ['read'] }]);
const ALL = role('all', [{ resources: DEMO, actions: ['read', 'write', 'ddl', 'admin'] }]);

interface Case {
  readonly name: string;
  readonly model: AccessModel;
  readonly action: Action;
  readonly statement: StatementShape;
  readonly reason: string;
  readonly message?: string;
}

const CASES: readonly Case[] = [
  { name: 'a table in scope', model: model([SCOPED]), action: 'read', statement: shape(['orders']), reason: 'ALLOW_ROLE' },
  { name: 'a schema pattern', model: model([SCOPED]), action: 'read', statement: shape(['reporting.daily']), reason: 'ALLOW_ROLE' },
  {
    name: 'a table outside scope, named',
    model: model([SCOPED]),
    action: 'write',
    statement: shape(['orders'], ['public.payroll']),
    reason: 'DENY_TABLE_SCOPE',
    message: 'write on public.payroll is outside your grant on demo (tables: public.orders, reporting.*)',
  },
  { name: 'another schema is not public', model: model([SCOPED]), action: 'read', statement: shape(['sales.orders']), reason: 'DENY_TABLE_SCOPE' },
  { name: 'an unscoped role widens the scope', model: model([SCOPED, WIDE]), action: 'read', statement: shape(['payroll']), reason: 'ALLOW_ROLE' },
  { name: 'the unscoped role covers only its own action', model: model([SCOPED, WIDE]), action: 'write', statement: shape([], ['payroll']), reason: 'DENY_TABLE_SCOPE' },
  { name: 'an approved grant covers every table', model: model([SCOPED], [], [grant]), action: 'write', statement: shape([], ['payroll']), reason: 'ALLOW_GRANT' },
  {
    name: 'a deny rule limited to a table',
    model: model([ALL, role('nopay', [], [{ resources: DEMO, actions: ['read'], tables: ['public.payroll'] }])]),
    action: 'read',
    statement: shape(['orders', 'payroll']),
    reason: 'DENY_RULE',
    message: 'read on public.payroll of demo is denied by role nopay',
  },
  { name: 'a table deny leaves other tables', model: model([ALL, role('nopay', [], [{ resources: DEMO, actions: ['read'], tables: ['public.payroll'] }])]), action: 'read', statement: shape(['orders']), reason: 'ALLOW_ROLE' },
  { name: 'a guardrail denies ddl over a role', model: model([ALL], [guardrail({ deny: ['ddl'] })]), action: 'ddl', statement: shape([]), reason: 'DENY_GUARDRAIL_DDL', message: 'guardrail #1 (labels env=prod)' },
  { name: 'a guardrail denies admin', model: model([ALL], [guardrail({}), guardrail({ deny: ['admin'] })]), action: 'admin', statement: shape([]), reason: 'DENY_GUARDRAIL_ADMIN', message: 'guardrail #2' },
  { name: 'a guardrail leaves other classes', model: model([ALL], [guardrail({ deny: ['ddl'] })]), action: 'write', statement: shape([], ['t']), reason: 'ALLOW_ROLE' },
  { name: 'a guardrail on other resources', model: model([ALL], [guardrail({ resources: { names: ['other'] }, deny: ['ddl'] })]), action: 'ddl', statement: shape([]), reason: 'ALLOW_ROLE' },
  { name: 'DELETE without WHERE blocked', model: model([ALL], [guardrail({ block: ['delete_without_where'] })]), action: 'write', statement: shape([], ['t'], { deleteWithoutWhere: true }), reason: 'DENY_GUARDRAIL_BLOCK', message: 'add a WHERE clause' },
  { name: 'UPDATE without WHERE not blocked unless listed', model: model([ALL], [guardrail({ block: ['delete_without_where'] })]), action: 'write', statement: shape([], ['t'], { updateWithoutWhere: true }), reason: 'ALLOW_ROLE' },
  { name: 'TRUNCATE blocked', model: model([ALL], [guardrail({ block: ['truncate'] })]), action: 'write', statement: shape([], ['t'], { truncates: true }), reason: 'DENY_GUARDRAIL_BLOCK' },
  { name: 'write through a role under require_approval', model: model([ALL], [guardrail({ requireApproval: ['write'] })]), action: 'write', statement: shape([], ['t']), reason: 'DENY_GUARDRAIL_APPROVAL', message: 'stint request demo --action write' },
  { name: 'write through a grant under require_approval', model: model([ALL], [guardrail({ requireApproval: ['write'] })], [grant]), action: 'write', statement: shape([], ['t']), reason: 'ALLOW_GRANT' },
  { name: 'read untouched by require_approval of write', model: model([ALL], [guardrail({ requireApproval: ['write'] })]), action: 'read', statement: shape(['t']), reason: 'ALLOW_ROLE' },
  { name: 'a guardrail denies read', model: model([ALL], [guardrail({ deny: ['read'] })]), action: 'read', statement: shape(['t']), reason: 'DENY_GUARDRAIL_READ' },
  { name: 'a guardrail denies write', model: model([ALL], [guardrail({ deny: ['write'] })]), action: 'write', statement: shape([], ['t']), reason: 'DENY_GUARDRAIL_WRITE' },
  { name: 'no role and no grant', model: model([WIDE]), action: 'write', statement: shape([], ['t']), reason: 'DENY_NO_GRANT' },
  {
    name: 'unsafe is not implied by admin',
    model: model([ALL]),
    action: 'unsafe',
    statement: shape([], [], { unsafeReasons: ['COPY ... PROGRAM runs a shell command on the database server'] }),
    reason: 'DENY_UNSAFE',
    message: 'COPY ... PROGRAM runs a shell command on the database server',
  },
  {
    name: 'a guardrail denies unsafe to a role naming it',
    model: model([role('root', [{ resources: DEMO, actions: ['unsafe'] }])], [guardrail({ deny: ['unsafe'] })]),
    action: 'unsafe',
    statement: shape([]),
    reason: 'DENY_GUARDRAIL_UNSAFE',
  },
];

describe('decideStatement', () => {
  it.each(CASES)('$name', ({ model: accessModel, action, statement, reason, message }) => {
    const decision = decideStatement(buildAccessIndex(accessModel), { email: ALICE, tokenExpiresAt: null }, 'demo', action, statement, NOW);
    expect(decision.reason).toBe(reason);
    expect(decision.allow).toBe(reason.startsWith('ALLOW'));
    if (message !== undefined) expect(decision.message).toContain(message);
  });
});

it('covers every reason only a statement decision gives', () => {
  const covered = new Set<string>(CASES.map((c) => c.reason));
  for (const reason of STATEMENT_REASONS) expect(covered.has(reason), reason).toBe(true);
});

describe('table names and patterns', () => {
  it.each([
    ['orders', 'public.orders'],
    ['sales.orders', 'sales.orders'],
    ['db.sales.orders', 'sales.orders'],
    ['Weird.Table', 'Weird.Table'],
  ])('qualifies %s as %s', (name, qualified) => {
    expect(qualifiedTable(name)).toBe(qualified);
  });

  it.each([
    ['public.orders', 'public.orders', true],
    ['public.orders', 'public.order', false],
    ['public.orders', 'public.*', true],
    ['publicx.orders', 'public.*', false],
    ['reporting.daily', 'public.*', false],
    ['Public.orders', 'public.*', false],
  ] as const)('%s against %s: %s', (table, pattern, matches) => {
    expect(tableMatches(table, pattern)).toBe(matches);
  });

  it('finds the first table outside a scope, and none when every table is in scope', () => {
    expect(firstOutsideScope(['public.a', 'public.b'], ['public.a'])).toBe('public.b');
    expect(firstOutsideScope(['public.a', 'public.b'], null)).toBeUndefined();
  });
});
