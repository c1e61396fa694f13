import { describe, expect, it } from 'vitest';
import { formatPlan, planPolicy } from '../policy/policy-plan.ts';
import { loadPolicyFromFiles } from '../policy/policy-load.ts';
import { CONTRACTORS, HEAD, lines, loadTestPolicy, rejection, TEST_LOAD_OPTIONS, TEST_NOW } from '../policy/policy-test-kit.ts';
import type { LoadedPolicy } from '../policy/policy-types.ts';

/** HEAD with a mask on the readonly grant (line 12) and, optionally, settings at the top. */
function policy(mask: string, settings: readonly string[] = []): string {
  return lines(...settings, ...HEAD, `        mask: ${mask}`, ...CONTRACTORS);
}

const WITH_KEY = ['settings:', '  masking: { hash_key_env: STINT_MASK_KEY }'];

describe('masks in policy files', () => {
  it('compiles string entries as redact, objects with their strategy, unqualified tables in public', () => {
    const { compiled } = loadTestPolicy(policy('[Customers.Email, "*.ssn", { column: crm.leads.phone, strategy: partial, keep: 4 }]'));
    expect(compiled.roles[0]?.grants[0]?.mask).toEqual([
      { column: '*.ssn', strategy: 'redact' },
      { column: 'crm.leads.phone', strategy: 'partial', keep: 4 },
      { column: 'public.customers.email', strategy: 'redact' },
    ]);
  });

  it('keeps the digest of policies without masks', () => {
    const plain = loadTestPolicy(lines(...HEAD, ...CONTRACTORS));
    const masked = loadTestPolicy(policy('[customers.email]'));
    expect(plain.compiled.roles[0]?.grants[0]).not.toHaveProperty('mask');
    expect(plain.digest).not.toBe(masked.digest);
  });

  const CASES = [
    { name: 'a pattern without a table', mask: '[email]', line: 12, field: 'roles.readonly.grants[0].mask[0]', message: /"email" is not a column pattern/ },
    { name: 'an unknown strategy', mask: '[{ column: customers.email, strategy: scramble }]', line: 12, field: 'roles.readonly.grants[0].mask[0]', message: /scramble|strategy/ },
    { name: 'partial without keep', mask: '[{ column: customers.phone, strategy: partial }]', line: 12, field: 'roles.readonly.grants[0].mask[0]', message: /keep|partial/ },
    { name: 'a hash mask without hash_key_env', mask: '[{ column: customers.email, strategy: hash }]', line: 12, field: 'roles.readonly.grants[0].mask[0].strategy', message: /hash_key_env names none/ },
  ];
  for (const entry of CASES) {
    it(`rejects ${entry.name} with its file and line`, () => {
      const error = rejection(policy(entry.mask));
      expect(error.code).toBe('STINT_ERR_POLICY_INVALID');
      const detail = error.details.find((item) => entry.message.test(item.message));
      expect(detail, JSON.stringify(error.details)).toMatchObject({ file: 'policy.yaml', line: entry.line });
      expect(detail?.field).toContain(entry.field.split('.mask')[0]);
    });
  }

  it('refuses mask on a deny rule, at its line', () => {
    const yaml = lines(...HEAD, '    deny:', '      - resources: { names: [demo] }', '        actions: [write]', '        mask: [customers.email]', ...CONTRACTORS);
    expect(rejection(yaml).details.find((detail) => detail.message.includes('grant rules'))).toMatchObject({ line: 15, field: 'roles.readonly.deny[0].mask' });
  });

  it('refuses a hash mask whose key variable is not set here, and accepts it once set', () => {
    const yaml = policy('[{ column: customers.email, strategy: hash }]', WITH_KEY);
    const error = rejection(yaml);
    const detail = error.details.find((item) => item.message.includes('STINT_MASK_KEY'));
    expect(detail).toMatchObject({ file: 'policy.yaml', line: 14, field: 'roles.readonly.grants[0].mask[0].strategy' });
    expect(detail?.fix).toContain('export STINT_MASK_KEY=');
    const loaded = loadPolicyFromFiles([{ path: 'policy.yaml', content: yaml }], { ...TEST_LOAD_OPTIONS, env: { STINT_MASK_KEY: 'k' } });
    expect(loaded.compiled.settings.maskingHashKeyEnv).toBe('STINT_MASK_KEY');
  });

  it('validates max_rows on guardrails', () => {
    const guardrail = (value: string): string => lines(...HEAD, ...CONTRACTORS, 'guardrails:', '  - resources: { names: [demo] }', `    max_rows: ${value}`);
    expect(loadTestPolicy(guardrail('10000')).compiled.guardrails?.[0]?.maxRows).toBe(10000);
    expect(rejection(guardrail('0')).details[0]).toMatchObject({ line: 16, field: 'guardrails[0].max_rows' });
    expect(rejection(guardrail('1.5')).details[0]).toMatchObject({ line: 16 });
  });

  it('plans who loses and who regains clear access to a column', () => {
    const before: LoadedPolicy = loadTestPolicy(lines(...HEAD, ...CONTRACTORS));
    const after = loadTestPolicy(policy('[customers.email]'));
    const contractors = before.compiled.contractors.map((c) => ({ ...c, source: 'files' as const, status: 'active' as const, createdAt: 0, updatedAt: 0 }));
    const plan = planPolicy(after, { applied: before, contractors } as never, TEST_NOW);
    const text = formatPlan(plan);
    expect(text).toContain('alice@vendor.example loses clear access to public.customers.email on demo (masked)');
    expect(text).toContain('masks: public.customers.email (redact)');
    const back = planPolicy(before, { applied: after, contractors } as never, TEST_NOW);
    expect(formatPlan(back)).toContain('alice@vendor.example gains clear access to public.customers.email on demo (no longer masked)');
  });
});
