import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../util/canonical-json.ts';
import { policyDigest } from './policy-digest.ts';
import { loadPolicyFromFiles } from './policy-load.ts';
import type { PolicyFile } from './policy-types.ts';

const OPTIONS = { env: {}, now: Date.parse('2026-12-01T00:00:00Z') };
const lines = (...text: string[]): string => `${text.join('\n')}\n`;
const digestOf = (files: readonly PolicyFile[]): string => loadPolicyFromFiles(files, OPTIONS).digest;

const ONE_FILE = lines(
  'version: 1',
  'settings: { contractors: api, invite_ttl: 48h }',
  'resources:',
  '  demo: { kind: postgres, address: "127.0.0.1:5432", labels: { env: dev, team: core } }',
  '  billing: { kind: postgres, address: "10.0.0.2:5432", database: billing }',
  'roles:',
  '  readonly:',
  '    grants:',
  '      - resources: { labels: { env: dev } }',
  '        actions: [read]',
  '      - resources: { names: [billing, demo] }',
  '        actions: [write, read]',
  '    deny:',
  '      - resources: { names: [billing] }',
  '        actions: [ddl]',
  '    max_session: 8h',
  'contractors:',
  '  alice@vendor.example: { name: Alice, company: Vendor, sponsor: bob@corp.example, roles: [readonly], until: 2027-03-31 }',
  'staff:',
  '  bob@corp.example: { name: Bob, roles: [auditor, admin], groups: [ops, dba] }',
);

/** The same policy: keys reordered, rules and lists reordered, emails in other case, split over three files. */
const SPLIT: readonly PolicyFile[] = [
  {
    path: 'z/people.yaml',
    content: lines(
      'staff:',
      '  BOB@corp.example: { groups: [dba, ops], roles: [admin, auditor], name: Bob }',
      'contractors:',
      '  alice@Vendor.example: { until: 2027-03-31, roles: [readonly, readonly], sponsor: Bob@Corp.Example, company: Vendor, name: Alice }',
      'version: 1',
    ),
  },
  {
    path: 'a/resources.yaml',
    content: lines(
      'version: 1',
      'resources:',
      '  billing:',
      '    database: billing',
      '    address: "10.0.0.2:5432"',
      '    kind: postgres',
      '  demo: { labels: { team: core, env: dev }, address: "127.0.0.1:5432", kind: postgres }',
      'settings: { invite_ttl: 2d, contractors: api }',
    ),
  },
  {
    path: 'm/roles.yml',
    content: lines(
      'version: 1',
      'roles:',
      '  readonly:',
      '    max_session: 480m',
      '    deny: [{ actions: [ddl], resources: { names: [billing] } }]',
      '    grants:',
      '      - actions: [read, write, read]',
      '        resources: { names: [demo, billing] }',
      '      - resources: { labels: { env: dev } }',
      '        actions: [read]',
    ),
  },
];

describe('policyDigest', () => {
  it('is SHA-256 of the canonical JSON of the compiled policy', () => {
    const loaded = loadPolicyFromFiles([{ path: 'p.yaml', content: ONE_FILE }], OPTIONS);
    expect(loaded.digest).toBe(createHash('sha256').update(canonicalJson(loaded.compiled)).digest('hex'));
    expect(policyDigest(loaded.compiled)).toBe(loaded.digest);
  });

  it('does not depend on key order, list order, email case, duration spelling or the file split', () => {
    const single = loadPolicyFromFiles([{ path: 'p.yaml', content: ONE_FILE }], OPTIONS);
    const split = loadPolicyFromFiles(SPLIT, OPTIONS);
    expect(split.compiled).toEqual(single.compiled);
    expect(split.digest).toBe(single.digest);
    expect(digestOf([...SPLIT].reverse())).toBe(single.digest);
  });

  it.each([
    ['an action', ONE_FILE.replace('actions: [ddl]', 'actions: [ddl, admin]')],
    ['a label', ONE_FILE.replace('team: core', 'team: edge')],
    ['an engagement end', ONE_FILE.replace('until: 2027-03-31', 'until: 2027-04-01')],
    ['a setting', ONE_FILE.replace('invite_ttl: 48h', 'invite_ttl: 47h')],
    ['a secret reference', ONE_FILE.replace('database: billing }', 'database: billing, credentials: { user: u, password: env:B } }')],
  ])('changes when %s changes', (_what, changed) => {
    expect(changed).not.toBe(ONE_FILE);
    expect(digestOf([{ path: 'p.yaml', content: changed }])).not.toBe(digestOf([{ path: 'p.yaml', content: ONE_FILE }]));
  });
});
