import { describe, expect, it } from 'vitest';
import { loadPolicyFromFiles } from './policy-load.ts';
import { formatPlan, planPolicy } from './policy-plan.ts';
import { lines, loadTestPolicy, rejection, TEST_LOAD_OPTIONS, TEST_NOW } from './policy-test-kit.ts';
import type { LoadedPolicy } from './policy-types.ts';

const NOW = TEST_NOW;
const OPTIONS = TEST_LOAD_OPTIONS;
import type { PolicyFile } from './policy-types.ts';


/** Resources, roles and staff the approval rules below refer to; 15 lines. */
const HEAD = [
  'version: 1', //                                                                    1
  'resources:', //                                                                    2
  '  billing: { kind: postgres, address: "db:5432", labels: { env: prod } }', //       3
  '  demo: { kind: postgres, address: "db:5432", labels: { env: dev } }', //           4
  'roles:', //                                                                        5
  '  readonly:', //                                                                   6
  '    grants:', //                                                                   7
  '      - resources: { labels: { env: dev } }', //                                   8
  '        actions: [read]', //                                                       9
  'staff:', //                                                                        10
  '  dba-oncall@corp.example: { roles: [approver] }', //                              11
  '  dana@corp.example: { roles: [approver], groups: [dba] }', //                     12
  '  erin@corp.example: { roles: [auditor], groups: [dba] }', //                      13
  '  ops@corp.example: { roles: [admin] }', //                                        14
  'approvals:', //                                                                    15
];

const RULE = [
  '  - resources: { labels: { env: prod } }', //                                      16
  '    actions: [write]', //                                                          17
  '    approvers: [dba-oncall@corp.example, "group:dba"]', //                         18
  '    min_approvals: 1', //                                                          19
  '    max_duration: 4h', //                                                          20
  '    require_reason: true', //                                                      21
];

const load = (yaml: string): LoadedPolicy => loadTestPolicy(yaml);

describe('approvals: loading and compiling', () => {
  it('compiles the rule of the issue, with defaults and lower-cased emails', () => {
    const loaded = load(lines(...HEAD, ...RULE, 'settings: { request_ttl: 30m }'));
    expect(loaded.compiled.approvals).toEqual([
      {
        resources: { labels: { env: 'prod' } },
        actions: ['write'],
        approvers: ['dba-oncall@corp.example', 'group:dba'],
        minApprovals: 1,
        maxDurationMs: 4 * 3_600_000,
        requireReason: true,
      },
    ]);
    expect(loaded.compiled.settings.requestTtlMs).toBe(30 * 60_000);
    const minimal = load(lines(...HEAD, '  - resources: { names: [billing] }', '    actions: [write, read]', '    approvers: [DBA-Oncall@Corp.example]', '    max_duration: 1h'));
    expect(minimal.compiled.approvals?.[0]).toMatchObject({ actions: ['read', 'write'], approvers: ['dba-oncall@corp.example'], minApprovals: 1, requireReason: false });
    expect(minimal.compiled.settings.requestTtlMs).toBe(3_600_000);
  });

  it('gives the same digest whatever the order of rules and approvers', () => {
    const other = ['  - resources: { names: [demo] }', '    actions: [ddl]', '    approvers: [ops@corp.example]', '    max_duration: 30m'];
    const a = load(lines(...HEAD, ...RULE, ...other));
    const b = load(lines(...HEAD, ...other, ...RULE.map((line) => line.replace('[dba-oncall@corp.example, "group:dba"]', '["group:dba", dba-oncall@corp.example]'))));
    expect(b.digest).toBe(a.digest);
  });

  interface Case {
    readonly name: string;
    readonly rule: readonly string[];
    readonly line: number;
    readonly field: string;
    readonly message: RegExp;
    readonly fix: RegExp;
  }
  const CASES: readonly Case[] = [
    {
      name: 'an approver who is not declared staff, listing the staff',
      rule: RULE.map((line) => line.replace('dba-oncall@corp.example', 'dba-oncal@corp.example')),
      line: 18,
      field: 'approvals[0].approvers[0]',
      message: /"dba-oncal@corp\.example" is not a declared staff member/,
      fix: /Did you mean "dba-oncall@corp\.example"\? Declared staff: dana@corp\.example, dba-oncall@corp\.example, erin@corp\.example, ops@corp\.example\./,
    },
    {
      name: 'an unknown group, listing the groups',
      rule: RULE.map((line) => line.replace('group:dba', 'group:dbas')),
      line: 18,
      field: 'approvals[0].approvers[1]',
      message: /Unknown group "dbas"/,
      fix: /Did you mean "group:dba"\? Groups of declared staff: dba\./,
    },
    {
      name: 'a staff approver without the approver or admin role',
      rule: RULE.map((line) => line.replace('dba-oncall@corp.example, "group:dba"', 'erin@corp.example')),
      line: 18,
      field: 'approvals[0].approvers[0]',
      message: /erin@corp\.example is staff but holds neither the approver nor the admin role/,
      fix: /roles: \[approver\]/,
    },
    {
      // group:dba has dana (approver) and erin (auditor only): with dba-oncall that is two who may approve.
      name: 'min_approvals larger than the distinct eligible approvers',
      rule: RULE.map((line) => line.replace('min_approvals: 1', 'min_approvals: 3')),
      line: 19,
      field: 'approvals[0].min_approvals',
      message: /needs 3 distinct approval\(s\) but only 2 staff member\(s\) may approve under it \(dana@corp\.example, dba-oncall@corp\.example\)/,
      fix: /Lower min_approvals/,
    },
    {
      name: 'min_approvals of zero',
      rule: RULE.map((line) => line.replace('min_approvals: 1', 'min_approvals: 0')),
      line: 19,
      field: 'approvals[0].min_approvals',
      message: /./,
      fix: /at least 1/,
    },
    {
      name: 'an approver that is neither an email nor a group',
      rule: RULE.map((line) => line.replace('"group:dba"', 'dba')),
      line: 18,
      field: 'approvals[0].approvers[1]',
      message: /"dba" is neither a staff email nor group:<name>/,
      fix: /group:<name>/,
    },
    {
      name: 'a missing max_duration',
      rule: RULE.filter((line) => !line.includes('max_duration')),
      line: 16,
      field: 'approvals[0].max_duration',
      message: /Missing required field "max_duration"/,
      fix: /30m, 8h/,
    },
    {
      name: 'an undeclared resource',
      rule: RULE.map((line) => line.replace('{ labels: { env: prod } }', '{ names: [biling] }')),
      line: 16,
      field: 'approvals[0].resources.names[0]',
      message: /Unknown resource "biling"/,
      fix: /Did you mean "billing"\?/,
    },
    {
      name: 'two rules covering the same resources and actions',
      rule: [...RULE, ...RULE.map((line) => line.replace('max_duration: 4h', 'max_duration: 8h'))],
      line: 22,
      field: 'approvals[1]',
      message: /Another approval rule covers the same resources and actions \(this file at line 16\)/,
      fix: /Merge the two rules/,
    },
    {
      name: 'an unknown key in a rule',
      rule: [...RULE, '    max_approvals: 2'],
      line: 22,
      field: 'approvals[0].max_approvals',
      message: /Unknown key "max_approvals"/,
      fix: /Did you mean "min_approvals"\?/,
    },
  ];

  it.each(CASES)('reports $name at its file and line', ({ rule, line, field, message, fix }) => {
    const error = rejection(lines(...HEAD, ...rule));
    expect(error.code).toBe('STINT_ERR_POLICY_INVALID');
    const detail = error.details.find((candidate) => candidate.field === field && message.test(candidate.message));
    expect(detail, JSON.stringify(error.details, null, 2)).toBeDefined();
    expect(detail?.line).toBe(line);
    expect(detail?.fix).toMatch(fix);
  });

  it('warns about a label selector that matches no resource', () => {
    const loaded = load(lines(...HEAD, ...RULE.map((line) => line.replace('env: prod', 'env: staging'))));
    expect(loaded.warnings).toContainEqual(expect.objectContaining({ line: 16, field: 'approvals[0].resources.labels', message: expect.stringMatching(/nothing can be requested/) as unknown }));
  });
});

describe('approvals: plan', () => {
  const files = (...rule: string[]): PolicyFile[] => [{ path: 'policy.yaml', content: lines(...HEAD, ...rule) }];
  const running = (previous: PolicyFile[]) => {
    const applied = loadPolicyFromFiles(previous, OPTIONS);
    return { applied: { digest: applied.digest, compiled: applied.compiled }, contractors: [] };
  };

  it('says in plain words which rules are added, changed and removed', () => {
    const ddl = ['  - resources: { names: [demo] }', '    actions: [ddl]', '    approvers: [ops@corp.example]', '    max_duration: 30m'];
    const before = running(files(...RULE, ...ddl));
    const changed = RULE.map((line) => line.replace('min_approvals: 1', 'min_approvals: 2').replace('max_duration: 4h', 'max_duration: 2h').replace('require_reason: true', 'require_reason: false'));
    const added = ['  - resources: { names: [billing] }', '    actions: [read]', '    approvers: ["group:dba"]', '    max_duration: 1d'];
    const plan = planPolicy(loadPolicyFromFiles(files(...changed, ...added), OPTIONS), before, NOW);
    const approvals = plan.changes.filter((change) => change.kind.startsWith('approval.'));
    expect(approvals.map((change) => [change.kind, change.text])).toEqual([
      ['approval.removed', 'approval rule for ddl on demo: no longer requestable'],
      ['approval.added', 'approval rule for read on billing: 1 approval from group:dba; at most 1d'],
      ['approval.changed', 'approval rule for write on env=prod: min_approvals 1 → 2; max_duration 4h → 2h; a reason is no longer required'],
    ]);
    expect(formatPlan(plan)).toContain('  ~ approval rule for write on env=prod: min_approvals 1 → 2');
  });

  it('shows no approval change for the same rules, and a request_ttl change as a setting', () => {
    const before = running(files(...RULE));
    const plan = planPolicy(loadPolicyFromFiles(files(...RULE, 'settings: { request_ttl: 2h }'), OPTIONS), before, NOW);
    expect(plan.changes.map((change) => change.text)).toEqual(['settings: request_ttl 1h → 2h']);
  });
});
