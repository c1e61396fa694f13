/**
 * Loading a policy: read the files, parse the YAML, validate every file,
 * merge them, check cross-references, and only when nothing at all is wrong,
 * compile. Every problem found is reported at once, each with its file, line
 * and column, so one run of `stint plan` shows everything to fix.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type ErrorDetail, StintError } from '../errors/stint-error.ts';
import { systemClock } from '../time/clock.ts';
import { checkMasks } from '../masking/mask-policy-checks.ts';
import { checkApprovals } from './policy-approval-checks.ts';
import { compilePolicy } from './policy-compile.ts';
import { policyDigest } from './policy-digest.ts';
import { issuesToDetails } from './policy-issues.ts';
import { mergePolicyFiles } from './policy-merge.ts';
import { checkReferences } from './policy-references.ts';
import { checkWebhooks } from './policy-webhook-checks.ts';
import { type PolicyDocument, policyFileSchema } from './policy-schema.ts';
import type { LoadedPolicy, PolicyFile, PolicyWarning } from './policy-types.ts';
import { findDuplicateKeys, type ParsedPolicyFile, readPolicyYaml } from './policy-yaml.ts';

export { watchPolicyPath, type PolicyWatcher } from './policy-watch.ts';

export interface LoadPolicyOptions {
  /** The environment secret references are checked against (warnings only). Default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** The instant engagements are compared with (warnings only). Default: now. */
  readonly now?: number;
}

const POLICY_EXTENSIONS = ['.yaml', '.yml'];

/**
 * Loads a policy from files already in memory. Pure apart from checking that
 * secret files exist (for warnings): the API validates uploaded files with
 * exactly the results, line numbers included, that the CLI gets from disk.
 */
export function loadPolicyFromFiles(files: readonly PolicyFile[], options: LoadPolicyOptions = {}): LoadedPolicy {
  if (files.length === 0) throw new StintError('STINT_ERR_POLICY_NOT_FOUND', 'The policy has no files; pass a .yaml/.yml file or a directory holding them.');
  // Sorted so results never depend on the order files arrive in (a directory listing, an upload).
  const ordered = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const repeated = ordered.find((file, index) => index > 0 && ordered[index - 1]?.path === file.path);
  if (repeated !== undefined) {
    throw new StintError('STINT_ERR_POLICY_INVALID', `The policy file ${repeated.path} was given twice.`, [
      { file: repeated.path, message: 'This path appears twice in the policy files', fix: 'Send each file once.' },
    ]);
  }

  const parsed: ParsedPolicyFile[] = [];
  const syntaxErrors: ErrorDetail[] = [];
  const warnings: PolicyWarning[] = [];
  for (const file of ordered) {
    const result = readPolicyYaml(file);
    if (result.ok) {
      parsed.push(result.file);
      warnings.push(...result.warnings);
    } else {
      syntaxErrors.push(...result.errors);
    }
  }
  if (syntaxErrors.length > 0) {
    const first = syntaxErrors[0];
    const at = first === undefined ? '' : ` (${first.file ?? ''} line ${String(first.line ?? 1)}: ${first.message})`;
    throw new StintError('STINT_ERR_POLICY_YAML', `${countOf(syntaxErrors.length, 'YAML syntax error')} in the policy${at}.`, syntaxErrors);
  }

  const errors: ErrorDetail[] = [];
  const documents: PolicyDocument[] = [];
  for (const file of parsed) {
    errors.push(...findDuplicateKeys(file));
    if (file.data === null || file.data === undefined) {
      errors.push({ file: file.path, line: 1, column: 1, field: 'version', message: 'The file is empty', fix: 'Start every policy file with `version: 1`, or delete the file.' });
      continue;
    }
    const result = policyFileSchema.safeParse(file.data);
    if (result.success) documents.push(result.data);
    else errors.push(...issuesToDetails(file, policyFileSchema, result.error.issues));
  }

  const { merged, errors: mergeErrors } = mergePolicyFiles(parsed);
  errors.push(...mergeErrors);
  const references = checkReferences(merged, { env: options.env ?? process.env, now: options.now ?? systemClock.now() });
  errors.push(...references.errors);
  warnings.push(...references.warnings);
  const approvals = checkApprovals(parsed, merged);
  warnings.push(...checkWebhooks(merged, options.env ?? process.env));
  errors.push(...approvals.errors);
  errors.push(...checkMasks(merged, options.env ?? process.env));
  warnings.push(...approvals.warnings);

  const fileOrder = new Map(ordered.map((file, index) => [file.path, index]));
  const byPlace = (a: { file?: string; line?: number; column?: number }, b: { file?: string; line?: number; column?: number }): number =>
    (fileOrder.get(a.file ?? '') ?? 0) - (fileOrder.get(b.file ?? '') ?? 0) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
  if (errors.length > 0) {
    errors.sort(byPlace);
    const fileCount = new Set(errors.map((detail) => detail.file)).size;
    throw new StintError('STINT_ERR_POLICY_INVALID', `The policy has ${countOf(errors.length, 'problem')} in ${countOf(fileCount, 'file')}.`, errors);
  }

  const compiled = compilePolicy(documents);
  return { compiled, digest: policyDigest(compiled), files: ordered, warnings: warnings.sort(byPlace) };
}

/**
 * Loads a policy from a file or a directory (read recursively; .yaml/.yml
 * files only; names starting with "." skipped, which also skips the
 * `..data` links of mounted Kubernetes ConfigMaps). Paths in the result are
 * relative to `path`; a single file is named by its basename.
 */
export async function loadPolicyFromPath(path: string, options: LoadPolicyOptions = {}): Promise<LoadedPolicy> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new StintError('STINT_ERR_POLICY_NOT_FOUND', `No policy file or directory at ${path}.`);
  let files: PolicyFile[];
  if (info.isDirectory()) {
    files = await readPolicyDirectory(path);
    if (files.length === 0) throw new StintError('STINT_ERR_POLICY_NOT_FOUND', `The directory ${path} holds no .yaml or .yml files.`);
  } else {
    files = [{ path: basename(path), content: await readFile(path, 'utf8') }];
  }
  return loadPolicyFromFiles(files, options);
}

async function readPolicyDirectory(root: string): Promise<PolicyFile[]> {
  const files: PolicyFile[] = [];
  const visited = new Set<string>();
  const walk = async (directory: string, prefix: string): Promise<void> => {
    // A symlinked directory could point back up the tree; visit each real directory once.
    const real = await realpath(directory);
    if (visited.has(real)) return;
    visited.add(real);
    const names = (await readdir(directory)).filter((name) => !name.startsWith('.')).sort();
    for (const name of names) {
      const full = join(directory, name);
      const relative = prefix === '' ? name : `${prefix}/${name}`;
      const entry = await stat(full).catch(() => undefined);
      if (entry?.isDirectory()) await walk(full, relative);
      else if (entry?.isFile() && POLICY_EXTENSIONS.some((extension) => name.endsWith(extension))) {
        files.push({ path: relative, content: await readFile(full, 'utf8') });
      }
    }
  };
  await walk(root, '');
  return files;
}

function countOf(count: number, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`;
}
