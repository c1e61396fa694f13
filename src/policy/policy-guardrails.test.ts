import { describe, expect, it } from 'vitest';
import { formatPlan, planPolicy } from './policy-plan.ts';
import { lines, loadTestPolicy, rejection, TEST_LOAD_OPTIONS } from './policy-test-kit.ts';
import type { LoadedPolicy } from './policy-types.ts';

const OPTIONS = TEST_LOAD_OPTIONS;

const HEAD = [
  'version: 1', //                                                   1
  'resources:', //                                                   2
  '  demo: { kind: postgres, address: db:5432, labels: { env: prod } }', // 3
  'roles:', //                                                       4
  '  analyst:', //                                                   5
  '    grants:', //                                                  6
  '      - resources: { names: [demo] }', //                         7
  '        actions: [read]', //                                      8
  '        tables: [public.orders, "reporting.*"]', //               9
  'guardrails:', //                                                  10
  '  - resources: { labels: { env: prod } }', //                     11
  '    deny: [ddl, admin]', //                                       12
  '    require_approval: [write]', //                                13
  '    block: [delete_without_where, truncate]', //                  14
];

const load = (yaml: string): LoadedPolicy => loadTestPolicy(yaml);

describe('guardrails and table scope in policy files', () => {
  it('compiles table patterns (lower-cased, sorted) and guardrails in order', () => {
    const { compiled } = load(lines(...HEAD.map((line) => line.replace('public.orders', 'Public.Orders'))));
    expect(compiled.roles[0]?.grants[0]?.tables).toEqual(['public.orders', 'reporting.*']);
    expect(compiled.guardrails).toEqual([
      { resources: { labels: { env: 'prod' } }, deny: ['ddl', 'admin'], requireApproval: ['write'], block: ['delete_without_where', 'truncate'] },
    ]);
  });

  it('leaves guardrails out of a policy that declares none', () => {
    expect(load(lines(...HEAD.slice(0, 9))).compiled.guardrails).toBeUndefined();
  });

  const CASES = [
    { name: 'a table pattern without a schema', from: '"reporting.*"', to: 'orders', line: 9, field: 'roles.analyst.grants[0].tables[1]', message: /"orders" is not a table pattern/ },
    { name: 'an unknown class to deny', from: 'deny: [ddl, admin]', to: 'deny: [ddl, superuser]', line: 12, field: 'guardrails[0].deny[1]', message: /superuser/ },
    { name: 'an unknown statement shape to block', from: 'truncate]', to: 'drop]', line: 14, field: 'guardrails[0].block[1]', message: /drop/ },
    { name: 'a field guardrails do not have', from: '    deny: [ddl, admin]', to: '    max_cost: 10', line: 12, field: 'guardrails[0]', message: /max_cost/ },
  ] as const;

  it.each(CASES)('rejects $name with its file and line', ({ from, to, line, field, message }) => {
    const error = rejection(lines(...HEAD.map((text) => text.replace(from, to))));
    const detail = error.details.find((candidate) => candidate.field?.startsWith(field) === true && message.test(candidate.message));
    expect(detail, JSON.stringify(error.details, null, 2)).toBeDefined();
    expect(detail).toMatchObject({ file: 'policy.yaml', line });
  });

  it('shows guardrail and table scope changes in the plan', () => {
    const before = load(lines(...HEAD.slice(0, 8)));
    const after = load(lines(...HEAD));
    const plan = formatPlan(planPolicy(after, { applied: { digest: before.digest, compiled: before.compiled }, contractors: [] }, OPTIONS.now));
    expect(plan).toContain('guardrail #1 (labels env=prod): denies ddl, admin; write only through an approved request; blocks delete_without_where, truncate');
    expect(plan).toContain('tables: public.orders, reporting.*');
  });

  it('compiles statement_timeout to milliseconds, shows it in the plan, and keeps the digest of guardrails without it', () => {
    const withTimeout = load(lines(...HEAD, '    statement_timeout: 90s'));
    expect(withTimeout.compiled.guardrails?.[0]?.statementTimeoutMs).toBe(90_000);
    expect(load(lines(...HEAD)).compiled.guardrails?.[0]).not.toHaveProperty('statementTimeoutMs');
    const before = load(lines(...HEAD));
    const plan = formatPlan(planPolicy(withTimeout, { applied: { digest: before.digest, compiled: before.compiled }, contractors: [] }, OPTIONS.now));
    expect(plan).toContain('blocks delete_without_where, truncate; statement_timeout 1m30s');
    expect(withTimeout.digest).not.toBe(before.digest);
  });

  it.each([
    ['0s', /"0s" is not a duration/],
    ['soon', /"soon" is not a duration/],
    ['30d', /longer than the largest statement_timeout PostgreSQL accepts/],
  ])('rejects statement_timeout: %s with its line', (value, message) => {
    const error = rejection(lines(...HEAD, `    statement_timeout: ${value}`));
    const detail = error.details.find((candidate) => candidate.field === 'guardrails[0].statement_timeout');
    expect(detail, JSON.stringify(error.details, null, 2)).toMatchObject({ file: 'policy.yaml', line: 15 });
    expect(detail?.message).toMatch(message);
  });
});
