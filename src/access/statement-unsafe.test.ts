import { describe, expect, it } from 'vitest';
import type { AccessModel, Action, GuardrailRule, RoleInfo } from './access-model.ts';
import { buildAccessIndex } from './access-index.ts';
import { decideStatement, type StatementShape } from './statement-access.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const ALICE = 'alice@vendor.example';
const DEMO = { names: ['demo'] };

const role = (name: string, actions: readonly Action[]): RoleInfo => ({ name, grants: [{ resources: DEMO, actions }], denies: [], maxSessionMs: null });
const guardrail = (deny: readonly Action[]): GuardrailRule => ({ resources: DEMO, deny, requireApproval: [], block: [] });

function decideFor(roles: readonly RoleInfo[], statement: StatementShape, guardrails: readonly GuardrailRule[] = [], status: 'active' | 'offboarded' = 'active') {
  const model: AccessModel = {
    resources: [{ name: 'demo', kind: 'postgres', labels: {} }],
    roles,
    contractors: [{ email: ALICE, roles: roles.map((r) => r.name), untilAt: NOW + 86_400_000, status }],
    grants: [],
    guardrails,
  };
  return decideStatement(buildAccessIndex(model), { email: ALICE, tokenExpiresAt: null }, 'demo', 'unsafe', statement, NOW);
}

const COPY_PROGRAM: StatementShape = { tablesRead: [], tablesWritten: [], unsafeReasons: ['COPY ... PROGRAM runs a shell command on the database server'] };
const DO_BLOCK: StatementShape = { tablesRead: [], tablesWritten: [], unsafeReasons: ['DO runs a block of procedural code'], opaqueCode: 'do' };
const DEFINER: StatementShape = { tablesRead: [], tablesWritten: [], unsafeReasons: ['a SECURITY DEFINER function'], opaqueCode: 'security_definer' };

describe('unsafe statements', () => {
  it('are refused to every ordinary action, admin included, saying what was found and what to do', () => {
    const decision = decideFor([role('all', ['read', 'write', 'ddl', 'admin'])], COPY_PROGRAM);
    expect(decision).toMatchObject({ allow: false, reason: 'DENY_UNSAFE' });
    expect(decision.message).toContain('COPY ... PROGRAM runs a shell command on the database server');
    expect(decision.message).toContain('ask an administrator');
    expect(decision.message).toContain('unless a role names unsafe');
  });

  it('are allowed to a role that names unsafe', () => {
    expect(decideFor([role('root', ['unsafe'])], COPY_PROGRAM)).toMatchObject({ allow: true, reason: 'ALLOW_ROLE' });
  });

  it('keep the more telling refusal when the contractor may not connect at all', () => {
    expect(decideFor([role('all', ['admin'])], COPY_PROGRAM, [], 'offboarded').reason).toBe('DENY_OFFBOARDED');
  });

  it('are refused by a guardrail denying unsafe even to a role naming it', () => {
    expect(decideFor([role('root', ['unsafe'])], COPY_PROGRAM, [guardrail(['unsafe'])]).reason).toBe('DENY_GUARDRAIL_UNSAFE');
  });
});

describe('opaque code', () => {
  it('DO runs for a role holding ddl, or admin', () => {
    expect(decideFor([role('dev', ['read', 'ddl'])], DO_BLOCK)).toMatchObject({ allow: true, reason: 'ALLOW_ROLE' });
    expect(decideFor([role('dba', ['admin'])], DO_BLOCK)).toMatchObject({ allow: true });
  });

  it('DO is refused to a writer, naming what to do', () => {
    const decision = decideFor([role('writer', ['read', 'write'])], DO_BLOCK);
    expect(decision.reason).toBe('DENY_UNSAFE');
    expect(decision.message).toContain('a role holding ddl or admin on demo may run it');
  });

  it('SECURITY DEFINER needs admin, not ddl', () => {
    expect(decideFor([role('dev', ['ddl'])], DEFINER).reason).toBe('DENY_UNSAFE');
    expect(decideFor([role('dba', ['admin'])], DEFINER).allow).toBe(true);
  });

  it('a guardrail denying the covering action refuses it, by that guardrail', () => {
    expect(decideFor([role('dev', ['ddl'])], DO_BLOCK, [guardrail(['ddl'])]).reason).toBe('DENY_GUARDRAIL_DDL');
  });

  it('a guardrail denying unsafe refuses opaque code whatever the roles', () => {
    expect(decideFor([role('dev', ['ddl', 'admin'])], DO_BLOCK, [guardrail(['unsafe'])]).reason).toBe('DENY_UNSAFE');
    expect(decideFor([role('root', ['unsafe'])], DO_BLOCK, [guardrail(['unsafe'])]).reason).toBe('DENY_GUARDRAIL_UNSAFE');
  });
});
