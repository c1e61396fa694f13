import { describe, expect, it } from 'vitest';
import { StintError } from '../errors/stint-error.ts';
import { loadPolicyFromFiles } from './policy-load.ts';
import { formatPlan, planPolicy } from './policy-plan.ts';
import type { PolicyFile } from './policy-types.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const ENV = { HOOK_SECRET: 's3cret', SLACK_URL: 'https://hooks.slack.com/services/T/B/X' };

const BASE = [
  'version: 1', //                                          1
  'resources:', //                                          2
  '  demo: { kind: postgres, address: 127.0.0.1:5432 }', // 3
  'roles:', //                                              4
  '  readonly:', //                                         5
  '    grants:', //                                         6
  '      - resources: { names: [demo] }', //                7
  '        actions: [read]', //                             8
  'webhooks:', //                                           9
];

const file = (...lines: string[]): PolicyFile[] => [{ path: 'policy.yaml', content: `${[...BASE, ...lines].join('\n')}\n` }];

function rejection(files: readonly PolicyFile[]): StintError {
  try {
    loadPolicyFromFiles(files, { env: ENV, now: NOW });
  } catch (error) {
    if (error instanceof StintError) return error;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

describe('policy webhooks section', () => {
  it('compiles webhooks with sorted events, "*" and the default format', () => {
    const loaded = loadPolicyFromFiles(
      file(
        '  audit-sink:',
        '    url: https://siem.example/hooks/stint',
        '    events: [session.killed, contractor.offboarded, session.killed]',
        '    secret: env:HOOK_SECRET',
        '  chat:',
        '    url: env:SLACK_URL',
        '    events: ["*"]',
        '    format: slack',
      ),
      { env: ENV, now: NOW },
    );
    expect(loaded.compiled.webhooks).toEqual([
      { name: 'audit-sink', url: 'https://siem.example/hooks/stint', events: ['contractor.offboarded', 'session.killed'], secret: 'env:HOOK_SECRET', format: 'json' },
      { name: 'chat', url: 'env:SLACK_URL', events: ['*'], format: 'slack' },
    ]);
    expect(loaded.warnings).toEqual([]);
  });

  it('leaves webhooks out of a policy that declares none, so its digest does not change', () => {
    const loaded = loadPolicyFromFiles([{ path: 'p.yaml', content: `${BASE.slice(0, 8).join('\n')}\n` }], { env: ENV, now: NOW });
    expect('webhooks' in loaded.compiled).toBe(false);
  });

  it.each([
    {
      name: 'an unknown event, with the closest one',
      lines: ['  a:', '    url: https://x.example/h', '    events: [contractor.offbaorded]', '    secret: env:HOOK_SECRET'],
      expected: { line: 12, field: 'webhooks.a.events[0]', message: /Unknown event type "contractor.offbaorded"/, fix: /Did you mean "contractor.offboarded"/ },
    },
    {
      name: 'an inline secret, never repeated',
      lines: ['  a:', '    url: https://x.example/h', '    events: ["*"]', '    secret: hunter2hunter2'],
      expected: { line: 13, field: 'webhooks.a.secret', message: /secret is written inline/, fix: /env:NAME/ },
    },
    {
      name: 'a json webhook without a secret',
      lines: ['  a:', '    url: https://x.example/h', '    events: ["*"]'],
      expected: { line: 10, field: 'webhooks.a.secret', message: /needs a secret/, fix: /secret: env:NAME/ },
    },
    {
      name: 'a URL that is not http(s)',
      lines: ['  a:', '    url: ftp://x.example/h', '    events: ["*"]', '    format: slack'],
      expected: { line: 11, field: 'webhooks.a.url', message: /not an http:\/\/ or https:\/\/ URL/, fix: /https:\/\// },
    },
    {
      name: 'a URL carrying a password, never repeated',
      lines: ['  a:', '    url: https://user:pw-in-url@x.example/h', '    events: ["*"]', '    format: slack'],
      expected: { line: 11, field: 'webhooks.a.url', message: /carries a user or password/, fix: /env:NAME/ },
    },
    {
      name: 'events given as text instead of a list',
      lines: ['  a:', '    url: https://x.example/h', '    events: "*"', '    format: slack'],
      expected: { line: 12, field: 'webhooks.a.events', message: /Expected a list/, fix: /\["\*"\]/ },
    },
  ])('rejects $name with file, line and fix', ({ lines, expected }) => {
    const error = rejection(file(...lines));
    expect(error.code).toBe('STINT_ERR_POLICY_INVALID');
    const detail = error.details.find((d) => d.field === expected.field);
    expect(detail, JSON.stringify(error.details)).toBeDefined();
    expect(detail).toMatchObject({ file: 'policy.yaml', line: expected.line });
    expect(detail!.message).toMatch(expected.message);
    expect(detail!.fix).toMatch(expected.fix);
    expect(JSON.stringify(error.details)).not.toMatch(/hunter2|pw-in-url/);
  });

  it('rejects a webhook declared in two files, naming both', () => {
    const second: PolicyFile = { path: 'z.yaml', content: 'version: 1\nwebhooks:\n  a: { url: "https://y.example", events: ["*"], format: slack }\n' };
    const error = rejection([...file('  a: { url: "https://x.example", events: ["*"], format: slack }'), second]);
    expect(error.details).toEqual([expect.objectContaining({ file: 'z.yaml', line: 3, message: expect.stringMatching(/Webhook "a" is declared twice: also in policy.yaml line 10/) as unknown })]);
  });

  it('warns about plain http to another host and about references this process cannot read', () => {
    const loaded = loadPolicyFromFiles(
      file('  a:', '    url: http://hooks.example/x', '    events: ["*"]', '    secret: env:MISSING_SECRET', '  b: { url: "http://127.0.0.1:9/x", events: ["*"], format: slack }'),
      { env: ENV, now: NOW },
    );
    expect(loaded.warnings.map((w) => `${w.field}: ${w.message}`)).toEqual([
      expect.stringMatching(/^webhooks.a.url: .*plain http to hooks.example/),
      expect.stringMatching(/^webhooks.a.secret: .*MISSING_SECRET.*webhook "a"/),
    ]);
  });

  it('plans webhook changes without showing a URL path or a secret reference', () => {
    const before = loadPolicyFromFiles(file('  chat: { url: env:SLACK_URL, events: [session.killed], format: slack }', '  siem: { url: "https://siem.example/t0k3n", events: ["*"], secret: env:HOOK_SECRET }'), { env: ENV, now: NOW });
    const after = loadPolicyFromFiles(
      file('  chat: { url: env:SLACK_URL, events: [session.killed, policy.applied], format: slack }', '  siem: { url: "https://siem.example/other", events: ["*"], secret: env:OTHER_SECRET }', '  new: { url: "https://n.example/p?q=1", events: ["*"], format: slack }'),
      { env: ENV, now: NOW },
    );
    const plan = planPolicy(after, { applied: { digest: before.digest, compiled: before.compiled }, contractors: [] }, NOW);
    expect(plan.changes.map((c) => `${c.kind} ${c.text}`)).toEqual([
      'webhook.changed webhook chat: events added policy.applied',
      'webhook.added webhook new: slack to https://n.example/…, events *, unsigned',
      'webhook.changed webhook siem: URL changed; secret reference changed',
    ]);
    const text = formatPlan(plan);
    expect(text).not.toMatch(/t0k3n|other|HOOK_SECRET|OTHER_SECRET|SLACK_URL|q=1/);
    const removed = planPolicy(before, { applied: { digest: after.digest, compiled: after.compiled }, contractors: [] }, NOW);
    expect(removed.changes.filter((c) => c.kind === 'webhook.removed').map((c) => c.subject)).toEqual(['new']);
  });
});
