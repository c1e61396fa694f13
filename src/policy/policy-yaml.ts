/**
 * Reading policy YAML while keeping every node's position, so each problem
 * found later (by zod, by the merge, by the reference checks) can name the
 * file, line and column a person has to edit.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ErrorDetail } from '../errors/stint-error.ts';
import type { PolicyFile, PolicyWarning } from './policy-types.ts';

export type PathSegment = string | number;

export interface ParsedPolicyFile {
  readonly path: string;
  readonly document: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The file as plain data (maps → objects, sequences → arrays), what zod validates. */
  readonly data: unknown;
}

export interface NodePosition {
  readonly line: number;
  readonly column: number;
}

export type YamlReadResult =
  | { readonly ok: true; readonly file: ParsedPolicyFile; readonly warnings: readonly PolicyWarning[] }
  | { readonly ok: false; readonly errors: readonly ErrorDetail[] };

/** Parses one file as YAML 1.2. Duplicate keys are left to findDuplicateKeys, which says more about them. */
export function readPolicyYaml(file: PolicyFile): YamlReadResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(file.content, { lineCounter, prettyErrors: false, version: '1.2' });
  const errors: ErrorDetail[] = [];
  for (const error of document.errors) {
    if (error.code === 'DUPLICATE_KEY') continue;
    const at = lineCounter.linePos(error.pos[0]);
    errors.push({
      file: file.path,
      line: at.line,
      column: at.col,
      message: firstLine(error.message),
      fix: 'Fix the YAML syntax here: check indentation, a missing ":" or quotes around values containing ":", "#", "[" or "{".',
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return { ok: false, errors: [{ file: file.path, line: 1, column: 1, message: firstLine(String(cause)), fix: 'Use fewer YAML aliases; write the values out.' }] };
  }
  const warnings = document.warnings.map((warning) => {
    const at = lineCounter.linePos(warning.pos[0]);
    return { file: file.path, line: at.line, message: firstLine(warning.message) };
  });
  return { ok: true, file: { path: file.path, document, lineCounter, data }, warnings };
}

/**
 * Where the node at `path` starts. `key` points at the mapping key (for
 * unknown or invalid keys); `value` at the value. When the path does not
 * exist (a missing field), the nearest existing parent is used, by its key so
 * the line shown is the one naming the parent.
 */
export function locate(file: ParsedPolicyFile, path: readonly PathSegment[], prefer: 'key' | 'value' = 'value'): NodePosition {
  let node: unknown = file.document.contents;
  let keyNode: Node | undefined;
  let found = true;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(file.document);
    if (isMap(node)) {
      // The last of duplicate keys, as that is the one the data holds.
      const pair = node.items.findLast((item) => keyText(item.key) === String(segment));
      if (pair === undefined) {
        found = false;
        break;
      }
      keyNode = isNodeWithRange(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      keyNode = undefined;
      node = node.items[segment];
    } else {
      found = false;
      break;
    }
  }
  const valueNode = isNodeWithRange(node) ? node : undefined;
  const chosen = found && !(prefer === 'key' && keyNode) ? (valueNode ?? keyNode) : (keyNode ?? valueNode);
  const offset = chosen?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const at = file.lineCounter.linePos(offset);
  return { line: at.line, column: at.col };
}

/** `roles.readonly.grants[0].actions[1]` */
export function formatFieldPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/**
 * Every key that appears twice in one mapping. YAML parsers disagree about
 * duplicates (most keep the last silently), so the policy treats them as
 * errors and says where the first one is.
 */
export function findDuplicateKeys(file: ParsedPolicyFile): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key === undefined) continue;
        const first = seen.get(key);
        if (first !== undefined && isNodeWithRange(pair.key)) {
          const at = file.lineCounter.linePos(pair.key.range[0]);
          const firstAt = file.lineCounter.linePos(first.range?.[0] ?? 0);
          problems.push({
            file: file.path,
            line: at.line,
            column: at.col,
            field: formatFieldPath([...path, key]),
            message: `The key "${key}" appears twice in the same mapping (first at line ${firstAt.line})`,
            fix: 'Keep one of them: YAML readers keep only the last, silently dropping the other.',
          });
        } else if (isNodeWithRange(pair.key)) {
          seen.set(key, pair.key);
          visit(pair.value, [...path, key]);
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index]);
      });
    }
  };
  visit(file.document.contents, []);
  return problems;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function isNodeWithRange(value: unknown): value is Node & { range: [number, number, number] } {
  return (isScalar(value) || isMap(value) || isSeq(value) || isAlias(value)) && Array.isArray(value.range);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
