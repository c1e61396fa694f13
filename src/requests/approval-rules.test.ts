import { describe, expect, it } from 'vitest';
import type { ApprovalRule, CompiledPolicy } from '../policy/policy-types.ts';
import { eligibleApprovers, governingRule, requestableHint, requestables } from './approval-rules.ts';

const HOUR = 3_600_000;
const rule = (patch: Partial<ApprovalRule>): ApprovalRule => ({
  resources: { names: ['billing'] },
  actions: ['write'],
  approvers: ['group:dba'],
  minApprovals: 1,
  maxDurationMs: 4 * HOUR,
  requireReason: false,
  ...patch,
});

const policy = (approvals: ApprovalRule[]): CompiledPolicy => ({
  settings: { contractorsOwner: 'files', inviteTtlMs: HOUR, tokenTtlMs: HOUR, defaultEngagementMs: HOUR },
  resources: [
    { name: 'billing', kind: 'postgres', labels: { env: 'prod' }, address: 'db:5432' },
    { name: 'ledger', kind: 'postgres', labels: { env: 'prod' }, address: 'db:5432' },
  ],
  roles: [],
  contractors: [],
  staff: [
    { email: 'amy@corp.example', roles: ['auditor'], groups: ['dba'] },
    { email: 'dana@corp.example', roles: ['approver'], groups: ['dba'] },
    { email: 'ops@corp.example', roles: ['admin'], groups: [] },
  ],
  approvals,
});

const billing = { name: 'billing', kind: 'postgres', labels: { env: 'prod' } };

describe('approval rules', () => {
  it('lets the strictest of several covering rules govern, whatever their order', () => {
    const easy = rule({ resources: { labels: { env: 'prod' } } });
    const twoApprovals = rule({ minApprovals: 2, approvers: ['group:dba', 'ops@corp.example'] });
    const shorter = rule({ actions: ['write', 'ddl'], maxDurationMs: HOUR });
    expect(governingRule(policy([easy, twoApprovals, shorter]), billing, ['write'])).toBe(twoApprovals);
    expect(governingRule(policy([shorter, easy]), billing, ['write'])).toBe(shorter);
    expect(governingRule(policy([easy, rule({ requireReason: true })]), billing, ['write'])?.requireReason).toBe(true);
    // A rule must cover every action asked for.
    expect(governingRule(policy([easy]), billing, ['write', 'ddl'])).toBeUndefined();
    expect(governingRule(policy([]), billing, ['write'])).toBeUndefined();
  });

  it('counts as approvers only listed staff who hold approver or admin, never the requester', () => {
    const p = policy([]);
    expect(eligibleApprovers(p, rule({ approvers: ['group:dba', 'ops@corp.example'] }))).toEqual(['dana@corp.example', 'ops@corp.example']);
    expect(eligibleApprovers(p, rule({ approvers: ['group:dba'] }), 'dana@corp.example')).toEqual([]);
  });

  it('describes what can be requested, per resource', () => {
    const p = policy([rule({ resources: { labels: { env: 'prod' } }, minApprovals: 2, requireReason: true })]);
    expect(requestables(p).map((entry) => entry.text)).toEqual([
      'write on billing (at most 4h, 2 approvals, reason required)',
      'write on ledger (at most 4h, 2 approvals, reason required)',
    ]);
    expect(requestableHint(p, (entry) => entry.resource !== 'billing')).toBe('Requestable: write on ledger (at most 4h, 2 approvals, reason required).');
    expect(requestableHint(p, () => false)).toMatch(/^Nothing can be requested/);
  });
});
