import { describe, expect, it } from 'vitest';
import { StintError } from '../errors/stint-error.ts';
import { loadPolicyFromFiles } from './policy-load.ts';
import type { PolicyFile } from './policy-types.ts';

const OPTIONS = { env: {}, now: Date.parse('2026-12-01T00:00:00Z') };
const lines = (...text: string[]): string => `${text.join('\n')}\n`;

const RESOURCES = lines('version: 1', 'resources:', '  demo: { kind: postgres, address: "127.0.0.1:5432", labels: { env: dev } }');
const ROLES = lines('version: 1', 'roles:', '  readonly:', '    grants:', '      - resources: { labels: { env: dev } }', '        actions: [read]');
const PEOPLE = lines(
  'version: 1',
  'contractors:',
  '  alice@vendor.example: { name: Alice, sponsor: bob@corp.example, roles: [readonly], until: 2027-03-31 }',
  'staff:',
  '  bob@corp.example: { name: Bob, roles: [admin] }',
);

function rejection(files: readonly PolicyFile[]): StintError {
  try {
    loadPolicyFromFiles(files, OPTIONS);
  } catch (error) {
    if (error instanceof StintError) return error;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

describe('merging policy files', () => {
  it('merges sections across files, and cross-references resolve across files', () => {
    const loaded = loadPolicyFromFiles(
      [
        { path: 'people.yaml', content: PEOPLE },
        { path: 'roles/roles.yaml', content: ROLES },
        { path: 'resources.yaml', content: RESOURCES },
      ],
      OPTIONS,
    );
    expect(loaded.files.map((file) => file.path)).toEqual(['people.yaml', 'resources.yaml', 'roles/roles.yaml']);
    expect(loaded.compiled.resources.map((resource) => resource.name)).toEqual(['demo']);
    expect(loaded.compiled.roles.map((role) => role.name)).toEqual(['readonly']);
    expect(loaded.compiled.contractors.map((contractor) => contractor.email)).toEqual(['alice@vendor.example']);
    expect(loaded.compiled.staff).toEqual([{ email: 'bob@corp.example', name: 'Bob', roles: ['admin'], groups: [] }]);
    expect(loaded.warnings).toEqual([]);
  });

  it.each([
    ['resource', 'resources', '  demo: { kind: postgres, address: "10.0.0.9:5432" }', 'Resource "demo"', 'resources.yaml line 3'],
    ['role', 'roles', '  readonly: { grants: [{ resources: { names: [demo] }, actions: [write] }] }', 'Role "readonly"', 'roles.yaml line 3'],
    ['contractor (emails compare case-insensitively)', 'contractors', '  Alice@Vendor.Example: { name: A, sponsor: bob@corp.example, roles: [readonly], until: 2027-01-01 }', 'Contractor "alice@vendor.example"', 'a-people.yaml line 3'],
    ['staff member', 'staff', '  BOB@corp.example: { roles: [auditor] }', 'Staff member "bob@corp.example"', 'a-people.yaml line 5'],
  ])('rejects a %s declared in two files, naming both places', (_what, section, entry, subject, firstPlace) => {
    const error = rejection([
      { path: 'a-people.yaml', content: PEOPLE },
      { path: 'resources.yaml', content: RESOURCES },
      { path: 'roles.yaml', content: ROLES },
      { path: 'z-extra.yaml', content: lines('version: 1', `${section}:`, entry) },
    ]);
    expect(error.code).toBe('STINT_ERR_POLICY_INVALID');
    const duplicate = error.details.find((detail) => detail.message.includes('declared twice'));
    expect(duplicate).toMatchObject({ file: 'z-extra.yaml', line: 3, column: 3 });
    expect(duplicate?.message).toContain(subject);
    expect(duplicate?.message).toContain(firstPlace);
  });

  it('rejects settings in two files', () => {
    const error = rejection([
      { path: 'a.yaml', content: lines('version: 1', 'settings: { contractors: api }') },
      { path: 'b.yaml', content: lines('version: 1', '# comment', 'settings:', '  invite_ttl: 24h') },
    ]);
    expect(error.details).toEqual([
      expect.objectContaining({ file: 'b.yaml', line: 3, field: 'settings', message: expect.stringContaining('also set in a.yaml line 2') as string }),
    ]);
  });

  it('rejects a duplicate that differs only in case within one file', () => {
    const error = rejection([
      {
        path: 'people.yaml',
        content: lines(
          'version: 1',
          'staff:',
          '  bob@corp.example: { roles: [admin] }',
          '  Bob@Corp.example: { roles: [auditor] }',
        ),
      },
    ]);
    expect(error.details).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('this file at line 3') as string })]);
  });

  it('rejects a person who is both staff and a contractor', () => {
    const error = rejection([
      { path: 'a.yaml', content: RESOURCES },
      { path: 'a2.yaml', content: ROLES },
      { path: 'b.yaml', content: lines('version: 1', 'contractors:', '  bob@corp.example: { name: Bob, sponsor: carol@corp.example, roles: [readonly], until: 2027-01-01 }') },
      { path: 'c.yaml', content: lines('version: 1', 'staff:', '  bob@corp.example: { roles: [admin] }') },
    ]);
    expect(error.details).toEqual([
      expect.objectContaining({ file: 'c.yaml', line: 3, message: expect.stringContaining('both staff and a contractor (contractor in b.yaml line 3)') as string }),
    ]);
  });

  it('reports problems from several files together, ordered by file then line', () => {
    const error = rejection([
      { path: 'b.yaml', content: lines('version: 1', 'roles:', '  x: { grants: [{ resources: { names: [nope] }, actions: [read] }] }') },
      { path: 'a.yaml', content: lines('version: 1', 'resources:', '  demo: { kind: oracle, address: "h:1" }') },
    ]);
    expect(error.details.map((detail) => `${detail.file ?? ''}:${String(detail.line)}`)).toEqual(['a.yaml:3', 'b.yaml:3']);
    expect(error.message).toBe('The policy has 2 problems in 2 files.');
  });
});
