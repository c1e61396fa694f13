import { describe, expect, it } from 'vitest';
import { loadPolicyFromFiles } from './policy-load.ts';
import { CONTRACTORS, HEAD, lines, rejection, TEST_LOAD_OPTIONS } from './policy-test-kit.ts';

const OPTIONS = TEST_LOAD_OPTIONS;

interface ErrorCase {
  readonly name: string;
  readonly yaml: string;
  readonly expected: { readonly line: number; readonly field: string; readonly message: RegExp; readonly fix: RegExp; readonly column?: number };
}

const ERROR_CASES: readonly ErrorCase[] = [
  {
    name: 'unknown top-level key, with the closest known key',
    yaml: lines(...HEAD, 'settngs:', '  contractors: api'),
    expected: { line: 12, column: 1, field: 'settngs', message: /Unknown key "settngs"/, fix: /Did you mean "settings"\?/ },
  },
  {
    name: 'unknown nested key',
    yaml: lines(...HEAD, '    max_sesion: 8h'),
    expected: { line: 12, column: 5, field: 'roles.readonly.max_sesion', message: /Unknown key "max_sesion" in roles\.readonly/, fix: /Did you mean "max_session"\?.*grants, deny, max_session/ },
  },
  {
    name: 'a literal password',
    yaml: lines(...HEAD.slice(0, 6), '    credentials: { user: postgres, password: hunter2secret }', ...HEAD.slice(6)),
    expected: { line: 7, field: 'resources.demo.credentials.password', message: /inline/, fix: /Never inline secrets.*env:NAME.*file:/ },
  },
  {
    name: 'a relative file reference',
    yaml: lines(...HEAD.slice(0, 6), '    credentials: { user: postgres, password: "file:secrets/pw" }', ...HEAD.slice(6)),
    expected: { line: 7, field: 'resources.demo.credentials.password', message: /not an absolute file reference/, fix: /absolute path/ },
  },
  {
    name: 'an unknown action, listing the valid ones',
    yaml: lines(...HEAD.slice(0, 10), '        actions: [read, delete]'),
    expected: { line: 11, column: 25, field: 'roles.readonly.grants[0].actions[1]', message: /Unknown action "delete"/, fix: /read, write, ddl, admin/ },
  },
  {
    name: 'an unknown kind, listing the supported ones',
    yaml: lines(...HEAD.slice(0, 3), '    kind: mysql', ...HEAD.slice(4)),
    expected: { line: 4, column: 11, field: 'resources.demo.kind', message: /Unknown resource kind "mysql"/, fix: /Use one of: postgres/ },
  },
  {
    name: 'a bad duration',
    yaml: lines(...HEAD, '    max_session: 8hours'),
    expected: { line: 12, column: 18, field: 'roles.readonly.max_session', message: /"8hours" is not a duration/, fix: /30m, 8h/ },
  },
  {
    name: 'a bad settings duration',
    yaml: lines(...HEAD, 'settings:', '  token_ttl: forever'),
    expected: { line: 13, field: 'settings.token_ttl', message: /"forever" is not a duration/, fix: /30m, 8h/ },
  },
  {
    name: 'a date that does not exist',
    yaml: lines(...HEAD, 'contractors:', '  alice@vendor.example: { name: Alice, sponsor: bob@corp.example, roles: [readonly], until: 2027-02-30 }'),
    expected: { line: 13, field: 'contractors.alice@vendor.example.until', message: /"2027-02-30" is not a date/, fix: /YYYY-MM-DD/ },
  },
  {
    name: 'a timestamp without a zone',
    yaml: lines(...HEAD, 'contractors:', '  alice@vendor.example: { name: Alice, sponsor: bob@corp.example, roles: [readonly], until: "2027-02-01T10:00:00" }'),
    expected: { line: 13, field: 'contractors.alice@vendor.example.until', message: /is not a date/, fix: /with a zone/ },
  },
  {
    name: 'a bad contractor email',
    yaml: lines(...HEAD, 'contractors:', '  alice.vendor.example: { name: Alice, sponsor: bob@corp.example, roles: [readonly], until: 2027-03-31 }'),
    expected: { line: 13, column: 3, field: 'contractors.alice.vendor.example', message: /"alice\.vendor\.example" is not a valid email address/, fix: /full email address/ },
  },
  {
    name: 'a bad sponsor email',
    yaml: lines(...HEAD, 'contractors:', '  alice@vendor.example: { name: Alice, sponsor: bob, roles: [readonly], until: 2027-03-31 }'),
    expected: { line: 13, field: 'contractors.alice@vendor.example.sponsor', message: /"bob" is not a valid email address/, fix: /full email address/ },
  },
  {
    name: 'a contractor naming an undeclared role, listing the declared ones',
    yaml: lines(...HEAD, 'contractors:', '  alice@vendor.example: { name: Alice, sponsor: bob@corp.example, roles: [readonyl], until: 2027-03-31 }'),
    expected: { line: 13, field: 'contractors.alice@vendor.example.roles[0]', message: /Unknown role "readonyl"/, fix: /Did you mean "readonly"\? Declared roles: readonly\./ },
  },
  {
    name: 'a staff member with an unknown staff role',
    yaml: lines(...HEAD, 'staff:', '  bob@corp.example: { roles: [superuser] }'),
    expected: { line: 13, field: 'staff.bob@corp.example.roles[0]', message: /Unknown staff role "superuser"/, fix: /admin, approver, auditor/ },
  },
  {
    name: 'a grant naming an undeclared resource',
    yaml: lines(...HEAD.slice(0, 9), '      - resources: { names: [demo, billing] }', ...HEAD.slice(10)),
    expected: { line: 10, field: 'roles.readonly.grants[0].resources.names[1]', message: /Unknown resource "billing"/, fix: /Declared resources: demo\./ },
  },
  {
    name: 'a deny naming an undeclared resource',
    yaml: lines(...HEAD, '    deny:', '      - resources: { names: [dmeo] }', '        actions: [ddl]'),
    expected: { line: 13, field: 'roles.readonly.deny[0].resources.names[0]', message: /Unknown resource "dmeo"/, fix: /Did you mean "demo"\?/ },
  },
  {
    name: 'a duplicate YAML key',
    yaml: lines(...HEAD.slice(0, 5), '    address: 10.0.0.1:5432', ...HEAD.slice(5)),
    expected: { line: 6, column: 5, field: 'resources.demo.address', message: /"address" appears twice.*first at line 5/, fix: /Keep one/ },
  },
  {
    name: 'a missing version',
    yaml: lines(...HEAD.slice(1)),
    expected: { line: 1, field: 'version', message: /Missing required field "version"/, fix: /version: 1/ },
  },
  {
    name: 'a version other than 1',
    yaml: lines('version: 2', ...HEAD.slice(1)),
    expected: { line: 1, column: 10, field: 'version', message: /Expected 1, found 2/, fix: /version: 1/ },
  },
  {
    name: 'an empty grants list with no deny',
    yaml: lines(...HEAD.slice(0, 8), '    grants: []'),
    expected: { line: 8, column: 3, field: 'roles.readonly', message: /grants nothing and denies nothing/, fix: /Add at least one rule/ },
  },
  {
    name: 'a rule that selects nothing',
    yaml: lines(...HEAD.slice(0, 9), '      - resources: {}', ...HEAD.slice(10)),
    expected: { line: 10, field: 'roles.readonly.grants[0].resources', message: /selects no resources/, fix: /names: \[\.\.\.\] or labels/ },
  },
  {
    name: 'an empty label selector',
    yaml: lines(...HEAD.slice(0, 9), '      - resources: { labels: {} }', ...HEAD.slice(10)),
    expected: { line: 10, field: 'roles.readonly.grants[0].resources.labels', message: /would match every resource/, fix: /at least one label/ },
  },
  {
    name: 'an empty actions list',
    yaml: lines(...HEAD.slice(0, 10), '        actions: []'),
    expected: { line: 11, field: 'roles.readonly.grants[0].actions', message: /at least 1 item/, fix: /read, write, ddl, admin/ },
  },
  {
    name: 'a bad port',
    yaml: lines(...HEAD.slice(0, 4), '    address: db.internal:70000', ...HEAD.slice(5)),
    expected: { line: 5, field: 'resources.demo.address', message: /not a host:port address/, fix: /1 to 65535/ },
  },
  {
    name: 'a bad resource name',
    yaml: lines(...HEAD.slice(0, 2), '  Demo_DB:', ...HEAD.slice(3, 9), '      - resources: { labels: { env: dev } }', ...HEAD.slice(10)),
    expected: { line: 3, column: 3, field: 'resources.Demo_DB', message: /"Demo_DB" is not a valid resource name/, fix: /lower-case letters/ },
  },
  {
    name: 'a number where a label value must be text',
    yaml: lines(...HEAD.slice(0, 5), '    labels: { env: dev, version: 15 }', ...HEAD.slice(6)),
    expected: { line: 6, field: 'resources.demo.labels.version', message: /Expected text here, found a number/, fix: /Quote the value/ },
  },
  {
    name: 'a missing required field',
    yaml: lines(...HEAD.slice(0, 4), ...HEAD.slice(5)),
    expected: { line: 3, column: 3, field: 'resources.demo.address', message: /Missing required field "address"/, fix: /host:port/ },
  },
  {
    name: 'a section of the wrong type',
    yaml: lines(...HEAD, 'staff: [bob@corp.example]'),
    expected: { line: 12, field: 'staff', message: /Expected a mapping \(key: value\) here, found a list/, fix: /by email address/ },
  },
];

describe('loadPolicyFromFiles: errors', () => {
  it.each(ERROR_CASES)('reports $name at its file and line', ({ yaml, expected }) => {
    const error = rejection(yaml);
    expect(error.code).toBe('STINT_ERR_POLICY_INVALID');
    const detail = error.details.find((candidate) => candidate.field === expected.field && expected.message.test(candidate.message));
    expect(detail, JSON.stringify(error.details, null, 2)).toBeDefined();
    expect(detail?.file).toBe('policy.yaml');
    expect(detail?.line).toBe(expected.line);
    if (expected.column !== undefined) expect(detail?.column).toBe(expected.column);
    expect(detail?.fix).toMatch(expected.fix);
  });

  it('accepts the base policy the cases start from', () => {
    expect(loadPolicyFromFiles([{ path: 'policy.yaml', content: lines(...HEAD, ...CONTRACTORS) }], OPTIONS).compiled.roles).toHaveLength(1);
  });

  it('accepts a section whose entries are all commented out', () => {
    const loaded = loadPolicyFromFiles([{ path: 'policy.yaml', content: lines(...HEAD, 'contractors:', '  # alice@vendor.example: {}', 'staff:') }], OPTIONS);
    expect(loaded.compiled.contractors).toEqual([]);
    expect(loaded.compiled.staff).toEqual([]);
  });

  it('never repeats an inline password', () => {
    const error = rejection(lines(...HEAD.slice(0, 6), '    credentials: { user: postgres, password: "S3cr3t-Pa55" }', ...HEAD.slice(6)));
    expect(JSON.stringify(error)).not.toContain('S3cr3t-Pa55');
    expect(error.message).not.toContain('S3cr3t-Pa55');
  });

  it('reports every problem in one run, in file and line order', () => {
    const error = rejection(
      lines(
        'version: 1',
        'resources:',
        '  demo: { kind: mysql, address: "db:0" }',
        'roles:',
        '  readonly:',
        '    grants:',
        '      - resources: { names: [nope] }',
        '        actions: [read, fly]',
        '    max_session: soon',
        'contractors:',
        '  carol: { name: Carol, sponsor: bob@corp.example, roles: [ghost], until: tomorrow }',
      ),
    );
    const found = error.details.map((detail) => `${String(detail.line)} ${detail.field ?? ''}`);
    expect(found).toEqual([
      '3 resources.demo.kind',
      '3 resources.demo.address',
      '7 roles.readonly.grants[0].resources.names[0]',
      '8 roles.readonly.grants[0].actions[1]',
      '9 roles.readonly.max_session',
      '11 contractors.carol',
      '11 contractors.carol.roles[0]',
      '11 contractors.carol.until',
    ]);
    expect(error.message).toBe('The policy has 8 problems in 1 file.');
  });

  it('reports YAML syntax errors with file and line as STINT_ERR_POLICY_YAML', () => {
    const error = rejection([
      { path: 'a.yaml', content: lines('version: 1') },
      { path: 'b.yaml', content: lines('version: 1', 'roles:', '  readonly: { grants: [ }') },
    ]);
    expect(error.code).toBe('STINT_ERR_POLICY_YAML');
    expect(error.details[0]).toMatchObject({ file: 'b.yaml', line: 3 });
    expect(error.message).toContain('b.yaml line 3');
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    const empty = rejection([{ path: 'empty.yaml', content: '# nothing yet\n' }]);
    expect(empty.details).toEqual([expect.objectContaining({ file: 'empty.yaml', line: 1, message: 'The file is empty' })]);
    const list = rejection('- version: 1\n');
    expect(list.details[0]).toMatchObject({ line: 1, message: 'Expected a mapping (key: value) here, found a list' });
  });

  it('rejects no files and the same path twice', () => {
    expect(() => loadPolicyFromFiles([], OPTIONS)).toThrowError(expect.objectContaining({ code: 'STINT_ERR_POLICY_NOT_FOUND' }) as Error);
    const twice = rejection([
      { path: 'a.yaml', content: 'version: 1\n' },
      { path: 'a.yaml', content: 'version: 1\n' },
    ]);
    expect(twice.code).toBe('STINT_ERR_POLICY_INVALID');
  });
});
