/**
 * Shared scaffolding for policy tests: a fixed clock and environment, YAML
 * built line by line (so tests can assert line numbers), and loading that
 * either succeeds or returns the StintError it was refused with.
 */
import { StintError } from '../errors/stint-error.ts';
import { loadPolicyFromFiles } from './policy-load.ts';
import type { LoadedPolicy, PolicyFile } from './policy-types.ts';

export const TEST_NOW = Date.parse('2026-12-01T00:00:00Z');
/** No environment variables, so secret references warn the same on every machine. */
export const TEST_LOAD_OPTIONS = { env: {}, now: TEST_NOW };

export const lines = (...text: string[]): string => `${text.join('\n')}\n`;

/** Loads one `policy.yaml` (or several files) with the test clock and environment. */
export function loadTestPolicy(files: readonly PolicyFile[] | string): LoadedPolicy {
  const input = typeof files === 'string' ? [{ path: 'policy.yaml', content: files }] : files;
  return loadPolicyFromFiles(input, TEST_LOAD_OPTIONS);
}

/** The error a policy is refused with; fails the test when it loads. */
export function rejection(files: readonly PolicyFile[] | string): StintError {
  try {
    loadTestPolicy(files);
  } catch (error) {
    if (error instanceof StintError) return error;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

/** A valid policy; cases below replace parts of it, so its line numbers matter. */
export const HEAD = [
  'version: 1', //                                  1
  'resources:', //                                  2
  '  demo:', //                                     3
  '    kind: postgres', //                          4
  '    address: 127.0.0.1:5432', //                 5
  '    labels: { env: dev }', //                    6
  'roles:', //                                      7
  '  readonly:', //                                 8
  '    grants:', //                                 9
  '      - resources: { names: [demo] }', //        10
  '        actions: [read]', //                     11
];
export const CONTRACTORS = ['contractors:', '  alice@vendor.example: { name: Alice, sponsor: bob@corp.example, roles: [readonly], until: 2027-03-31 }'];
