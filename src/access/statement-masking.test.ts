import { beforeAll, describe, expect, it } from 'vitest';
import { loadSqlParser } from '../sql/sql-parser.ts';
import type { AccessModel, GuardrailRule, RoleInfo } from './access-model.ts';
import { buildAccessIndex } from './access-index.ts';
import type { MaskObligation, RowLimitObligation } from './decision.ts';
import { decideStatement } from './statement-access.ts';
import { MASKING_REASONS } from './statement-masking.test-cases.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const ALICE = 'alice@vendor.example';
const BOB = 'bob@vendor.example';
const DEMO = { names: ['demo'] };
const identity = (email: string) => ({ email, tokenExpiresAt: null });

const MASKED: RoleInfo = {
  name: 'masked',
  grants: [{ resources: DEMO, actions: ['read', 'write'], mask: [{ column: 'public.customers.email', strategy: 'redact' }] }],
  denies: [],
  maxSessionMs: null,
};
const HASHED: RoleInfo = {
  name: 'hashed',
  grants: [{ resources: DEMO, actions: ['read'], mask: [{ column: '*.ssn', strategy: 'hash' }] }],
  denies: [],
  maxSessionMs: null,
};
const CLEAR: RoleInfo = { name: 'clear', grants: [{ resources: DEMO, actions: ['read', 'write'] }], denies: [], maxSessionMs: null };
const limit = (maxRows: number): GuardrailRule => ({ resources: DEMO, deny: [], requireApproval: [], block: [], maxRows });

function model(guardrails: GuardrailRule[] = []): AccessModel {
  return {
    resources: [{ name: 'demo', kind: 'postgres', labels: {} }],
    roles: [MASKED, HASHED, CLEAR],
    contractors: [
      { email: ALICE, roles: ['masked', 'hashed', 'clear'], untilAt: NOW + 86_400_000, status: 'active' },
      { email: BOB, roles: ['clear'], untilAt: NOW + 86_400_000, status: 'active' },
    ],
    grants: [],
    guardrails,
    maskingHashKeyEnv: 'STINT_TEST_MASK_KEY',
  };
}

beforeAll(async () => {
  await loadSqlParser();
});

describe('the masking criterion', () => {
  const index = buildAccessIndex(model());
  const judge = (email: string, text: string, action: 'read' | 'write' = 'read') =>
    decideStatement(index, identity(email), 'demo', action, { tablesRead: ['customers'], tablesWritten: [], text }, NOW);

  it('masks a column for a contractor when any held rule masks it, even if another role grants it in clear', () => {
    const decision = judge(ALICE, 'SELECT email, ssn FROM customers');
    expect(decision.allow).toBe(true);
    const masks = decision.obligations.filter((o): o is MaskObligation => o.kind === 'mask');
    expect(masks.map((o) => `${o.table}:${o.columns.join(',')}`).sort()).toEqual(['*:ssn', 'public.customers:email']);
    expect(masks[0]!.set?.hashKeyEnv).toBe('STINT_TEST_MASK_KEY');
  });

  it('refuses a masked column in a filter with DENY_MASKED_COLUMN naming the column and the place', () => {
    const decision = judge(ALICE, "SELECT id FROM customers WHERE email LIKE 'a%'");
    expect(decision).toMatchObject({ allow: false, reason: 'DENY_MASKED_COLUMN' });
    expect(decision.message).toContain('public.customers.email is masked for you on demo');
    expect(decision.message).toContain('the WHERE clause');
    expect(MASKING_REASONS.has(decision.reason)).toBe(true);
  });

  it('judges what an EXECUTE runs, and refuses CREATE TABLE AS EXECUTE of masked data', () => {
    const ok = decideStatement(index, identity(ALICE), 'demo', 'read', { tablesRead: [], tablesWritten: [], text: 'EXECUTE p(1)', runsText: 'PREPARE p AS SELECT email FROM customers' }, NOW);
    expect(ok.allow).toBe(true);
    const leak = decideStatement(index, identity(ALICE), 'demo', 'read', { tablesRead: [], tablesWritten: [], text: 'EXECUTE p(1)', runsText: 'SELECT id FROM customers ORDER BY ssn' }, NOW);
    expect(leak.reason).toBe('DENY_MASKED_COLUMN');
    const copy = decideStatement(index, identity(ALICE), 'demo', 'read', { tablesRead: [], tablesWritten: [], text: 'CREATE TABLE t AS EXECUTE p', runsText: 'SELECT email FROM customers' }, NOW);
    expect(copy.reason).toBe('DENY_MASKED_COLUMN');
  });

  it('counts the masks of a same-named table in any schema for a table written without its schema', () => {
    const crm: RoleInfo = { ...MASKED, name: 'crm', grants: [{ resources: DEMO, actions: ['read'], mask: [{ column: 'crm.leads.email', strategy: 'redact' }] }] };
    const scoped = buildAccessIndex({ ...model(), roles: [crm], contractors: [{ email: ALICE, roles: ['crm'], untilAt: NOW + 86_400_000, status: 'active' }] });
    const judgeText = (text: string) => decideStatement(scoped, identity(ALICE), 'demo', 'read', { tablesRead: [], tablesWritten: [], text }, NOW);
    // SET search_path TO crm could make `leads` crm.leads.
    expect(judgeText("SELECT id FROM leads WHERE email = 'x'").reason).toBe('DENY_MASKED_COLUMN');
    expect(judgeText("SELECT id FROM public.leads WHERE email = 'x'").allow).toBe(true);
    expect(judgeText("SELECT id FROM crm.leads WHERE email = 'x'").reason).toBe('DENY_MASKED_COLUMN');
  });

  it('leaves contractors without masks untouched: same decision, no obligations', () => {
    const decision = judge(BOB, "SELECT id FROM customers WHERE email LIKE 'a%'");
    expect(decision).toMatchObject({ allow: true, reason: 'ALLOW_ROLE' });
    expect(decision.obligations).toEqual([]);
  });

  it('never turns a denial into an allow', () => {
    const decision = decideStatement(index, identity(ALICE), 'demo', 'ddl', { tablesRead: [], tablesWritten: ['x'], text: 'CREATE TABLE x (n int)' }, NOW);
    expect(decision.allow).toBe(false);
    expect(decision.reason).toBe('DENY_NO_GRANT');
  });
});

describe('max_rows obligations', () => {
  it('carries the smallest max_rows of the guardrails on the resource, with its number', () => {
    const index = buildAccessIndex(model([limit(500), { ...limit(20) }, { resources: DEMO, deny: [], requireApproval: [], block: [] }]));
    const decision = decideStatement(index, identity(BOB), 'demo', 'read', { tablesRead: ['orders'], tablesWritten: [], text: 'SELECT * FROM orders' }, NOW);
    const limits = decision.obligations.filter((o): o is RowLimitObligation => o.kind === 'max_rows');
    expect(limits).toEqual([{ kind: 'max_rows', limit: 20, guardrail: 2 }]);
    // Shared, not rebuilt per statement.
    const again = decideStatement(index, identity(BOB), 'demo', 'read', { tablesRead: ['orders'], tablesWritten: [], text: 'SELECT 1' }, NOW);
    expect(again.obligations).toBe(decision.obligations);
  });
});
