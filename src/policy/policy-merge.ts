/**
 * Merges the files of a policy by section. Each resource, role, contractor,
 * staff member and webhook may be declared once across all files, and only one file
 * may hold `settings`: a second declaration is an error naming both places,
 * never a silent override that depends on file order.
 *
 * It works on the raw data, before (and regardless of) schema validation, so
 * a single run reports duplicates alongside every other problem.
 */
import type { ErrorDetail } from '../errors/stint-error.ts';
import { formatFieldPath, locate, type ParsedPolicyFile } from './policy-yaml.ts';

export const ENTRY_SECTIONS = ['resources', 'roles', 'contractors', 'staff', 'webhooks'] as const;
export type EntrySection = (typeof ENTRY_SECTIONS)[number];

/** One declaration: where it is and what it says (unvalidated). */
export interface PolicyEntry {
  readonly section: EntrySection;
  /** The key as compared: emails lower-cased. */
  readonly key: string;
  /** The key as written, to find it in the file again. */
  readonly rawKey: string;
  readonly file: ParsedPolicyFile;
  readonly value: unknown;
}

export interface MergedPolicy {
  readonly settings: { readonly file: ParsedPolicyFile; readonly value: unknown } | undefined;
  readonly sections: Readonly<Record<EntrySection, ReadonlyMap<string, PolicyEntry>>>;
}

const SINGULAR: Record<EntrySection, string> = { resources: 'Resource', roles: 'Role', contractors: 'Contractor', staff: 'Staff member', webhooks: 'Webhook' };

export function mergePolicyFiles(files: readonly ParsedPolicyFile[]): { merged: MergedPolicy; errors: ErrorDetail[] } {
  const errors: ErrorDetail[] = [];
  let settings: MergedPolicy['settings'];
  const sections: Record<EntrySection, Map<string, PolicyEntry>> = { resources: new Map(), roles: new Map(), contractors: new Map(), staff: new Map(), webhooks: new Map() };

  for (const file of files) {
    const data = asRecord(file.data);
    if (data === undefined) continue;
    if (data.settings !== undefined) {
      if (settings === undefined) {
        settings = { file, value: data.settings };
      } else {
        const first = locate(settings.file, ['settings'], 'key');
        errors.push({
          ...where(file, ['settings']),
          message: `settings is also set in ${place(settings.file, file, first.line)}; at most one file may set it`,
          fix: 'Keep settings in one file (e.g. settings.yaml) and remove it from the others.',
        });
      }
    }
    for (const section of ENTRY_SECTIONS) {
      const entries = asRecord(data[section]);
      if (entries === undefined) continue;
      for (const [rawKey, value] of Object.entries(entries)) {
        const key = section === 'contractors' || section === 'staff' ? rawKey.toLowerCase() : rawKey;
        const existing = sections[section].get(key);
        if (existing === undefined) {
          sections[section].set(key, { section, key, rawKey, file, value });
          continue;
        }
        const first = locate(existing.file, [section, existing.rawKey], 'key');
        errors.push({
          ...where(file, [section, rawKey]),
          message: `${SINGULAR[section]} "${key}" is declared twice: also in ${place(existing.file, file, first.line)}`,
          fix: `Declare each ${SINGULAR[section].toLowerCase()} once: merge the two declarations or remove one.`,
        });
      }
    }
  }

  for (const [email, entry] of sections.staff) {
    const contractor = sections.contractors.get(email);
    if (contractor === undefined) continue;
    const first = locate(contractor.file, ['contractors', contractor.rawKey], 'key');
    errors.push({
      ...where(entry.file, ['staff', entry.rawKey]),
      message: `"${email}" is both staff and a contractor (contractor in ${place(contractor.file, entry.file, first.line)})`,
      fix: 'A person is either staff or a contractor; remove one of the two entries.',
    });
  }

  return { merged: { settings, sections }, errors };
}

function where(file: ParsedPolicyFile, path: readonly (string | number)[]): Pick<ErrorDetail, 'file' | 'line' | 'column' | 'field'> {
  const at = locate(file, path, 'key');
  return { file: file.path, line: at.line, column: at.column, field: formatFieldPath(path) };
}

function place(first: ParsedPolicyFile, current: ParsedPolicyFile, line: number): string {
  return first === current ? `this file at line ${line}` : `${first.path} line ${line}`;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
