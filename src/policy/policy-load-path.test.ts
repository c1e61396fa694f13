import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ErrorDetail, StintError } from '../errors/stint-error.ts';
import { loadPolicyFromFiles, loadPolicyFromPath } from './policy-load.ts';
import { CONTRACTORS, HEAD, lines, TEST_LOAD_OPTIONS, TEST_NOW } from './policy-test-kit.ts';

const NOW = TEST_NOW;
const OPTIONS = TEST_LOAD_OPTIONS;

describe('loadPolicyFromFiles: warnings', () => {
  const warningsOf = (yaml: string, env: NodeJS.ProcessEnv = {}): ReturnType<typeof loadPolicyFromFiles>['warnings'] =>
    loadPolicyFromFiles([{ path: 'policy.yaml', content: yaml }], { env, now: NOW }).warnings;

  it('warns about a label selector that matches no resource', () => {
    const warnings = warningsOf(lines(...HEAD.slice(0, 9), '      - resources: { labels: { env: prod } }', ...HEAD.slice(10)));
    expect(warnings).toEqual([expect.objectContaining({ file: 'policy.yaml', line: 10, field: 'roles.readonly.grants[0].resources.labels' })]);
    expect(warnings[0]?.message).toMatch(/env: prod/);
  });

  it('warns about an unset environment variable, and not once it is set', () => {
    const yaml = lines(...HEAD.slice(0, 6), '    credentials: { user: postgres, password: env:DEMO_PG_PASSWORD }', ...HEAD.slice(6));
    expect(warningsOf(yaml)).toEqual([expect.objectContaining({ line: 7, field: 'resources.demo.credentials.password' })]);
    expect(warningsOf(yaml)[0]?.message).toMatch(/DEMO_PG_PASSWORD/);
    expect(warningsOf(yaml, { DEMO_PG_PASSWORD: 'x' })).toEqual([]);
  });

  it('warns about an unreadable secret file', () => {
    const yaml = lines(...HEAD.slice(0, 6), '    credentials: { user: postgres, password: "file:/nonexistent/stint/pw" }', ...HEAD.slice(6));
    expect(warningsOf(yaml)).toEqual([expect.objectContaining({ line: 7, message: expect.stringMatching(/not readable/) as string })]);
  });

  it('warns about a contractor whose engagement is already over', () => {
    const yaml = lines(...HEAD, 'contractors:', '  old@vendor.example: { name: Old, sponsor: bob@corp.example, roles: [readonly], until: 2026-11-30 }');
    expect(warningsOf(yaml)).toEqual([expect.objectContaining({ line: 13, field: 'contractors.old@vendor.example.until' })]);
    expect(warningsOf(lines(...HEAD, ...CONTRACTORS))).toEqual([]);
  });
});

describe('loadPolicyFromPath', () => {
  let root: string;
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });
  const tree = (files: Record<string, string>): string => {
    root = mkdtempSync(join(tmpdir(), 'stint-policy-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    return root;
  };

  it('reads a directory recursively, .yaml/.yml only, skipping hidden names, with relative sorted paths', async () => {
    const dir = tree({
      'b.yml': lines('version: 1', ...CONTRACTORS),
      'a/roles.yaml': lines('version: 1', ...HEAD.slice(6)),
      'a/resources.yaml': lines(...HEAD.slice(0, 6)),
      'README.md': '# not policy',
      '.hidden.yaml': 'this: [is not yaml',
      '.git/config.yaml': 'neither: [',
    });
    const loaded = await loadPolicyFromPath(dir, OPTIONS);
    expect(loaded.files.map((file) => file.path)).toEqual(['a/resources.yaml', 'a/roles.yaml', 'b.yml']);
    expect(loaded.compiled.contractors.map((contractor) => contractor.email)).toEqual(['alice@vendor.example']);
  });

  it('names a single file by its basename, in errors too', async () => {
    const dir = tree({ 'conf/stint.yaml': lines('version: 1', 'staff:', '  bob@corp.example: { roles: [boss] }') });
    const error = await loadPolicyFromPath(join(dir, 'conf/stint.yaml'), OPTIONS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StintError);
    expect((error as StintError).details[0]).toMatchObject({ file: 'stint.yaml', line: 3 } satisfies Partial<ErrorDetail>);
  });

  it('follows symlinked files but not into hidden directories', async () => {
    const dir = tree({ '..data/policy.yaml': lines(...HEAD) });
    symlinkSync(join(dir, '..data/policy.yaml'), join(dir, 'policy.yaml'));
    const loaded = await loadPolicyFromPath(dir, OPTIONS);
    expect(loaded.files.map((file) => file.path)).toEqual(['policy.yaml']);
  });

  it('fails with STINT_ERR_POLICY_NOT_FOUND for a missing path or a directory without policy files', async () => {
    const dir = tree({ 'notes.txt': 'hello' });
    await expect(loadPolicyFromPath(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'STINT_ERR_POLICY_NOT_FOUND' });
    await expect(loadPolicyFromPath(dir)).rejects.toMatchObject({ code: 'STINT_ERR_POLICY_NOT_FOUND' });
  });

  it('loads the quickstart example cleanly', async () => {
    root = mkdtempSync(join(tmpdir(), 'stint-policy-'));
    const loaded = await loadPolicyFromPath(join(import.meta.dirname, '../../examples/quickstart'), OPTIONS);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.compiled.settings.contractorsOwner).toBe('api');
    expect(loaded.compiled.resources).toEqual([
      { name: 'demo', kind: 'postgres', address: '127.0.0.1:5432', database: 'postgres', credentials: { user: 'postgres' }, labels: { env: 'dev' } },
    ]);
    expect(loaded.compiled.roles.map((role) => [role.name, role.maxSessionMs])).toEqual([
      ['readonly', null],
      ['readwrite', 8 * 3_600_000],
    ]);
    expect(loaded.compiled.contractors).toEqual([]);
  });
});
