/**
 * Turns zod's issues into the errors people read: each with the file, line and
 * column of the offending YAML node, the dotted field path, a plain message and
 * a `fix` taken from the schema's own hints and descriptions.
 */
import { z } from 'zod';
import type { ErrorDetail } from '../errors/stint-error.ts';
import { findClosest } from './closest-match.ts';
import { type FieldHint, policyHints } from './policy-schema.ts';
import { formatFieldPath, locate, type ParsedPolicyFile, type PathSegment } from './policy-yaml.ts';

type Issue = z.core.$ZodIssue;

export function issuesToDetails(file: ParsedPolicyFile, root: z.ZodType, issues: readonly Issue[]): ErrorDetail[] {
  return issues.flatMap((issue) => issueToDetails(file, root, issue));
}

function issueToDetails(file: ParsedPolicyFile, root: z.ZodType, issue: Issue): ErrorDetail[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const layers = schemaAt(root, path);
  const schema = layers[layers.length - 1];
  const hint = hintOf(layers);
  const raw = valueAt(file.data, path);
  const detail = (at: readonly PathSegment[], prefer: 'key' | 'value', message: string, fix: string | undefined): ErrorDetail => {
    const position = locate(file, at, prefer);
    return { file: file.path, line: position.line, column: position.column, field: formatFieldPath(at), message, ...(fix === undefined ? {} : { fix }) };
  };

  if (raw === undefined && path.length > 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    const name = String(path[path.length - 1]);
    const about = hint.description === undefined ? '' : ` (${hint.description})`;
    return [detail(path, 'value', `Missing required field "${name}"`, hint.fix ?? `Add ${name}${about}.`)];
  }

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
      return issue.keys.map((key) => {
        const closest = findClosest(key, known);
        const guess = closest === undefined ? '' : `Did you mean "${closest}"? `;
        const where = path.length === 0 ? 'at the top of the file' : `in ${formatFieldPath(path)}`;
        return detail([...path, key], 'key', `Unknown key "${key}" ${where}`, `${guess}Allowed here: ${known.join(', ')}.`);
      });
    }
    case 'invalid_type': {
      const fix = issue.expected === 'string' && (typeof raw === 'number' || typeof raw === 'boolean') ? 'Quote the value so it is read as text, e.g. "15".' : undefined;
      return [detail(path, 'value', `Expected ${expectedNoun(issue.expected)} here, found ${describeValue(raw)}`, fix ?? hint.fix ?? hint.description)];
    }
    case 'invalid_value': {
      const values = issue.values.map((value) => String(value));
      if (!(schema instanceof z.ZodEnum)) {
        return [detail(path, 'value', `Expected ${values[0]}, found ${showValue(raw)}`, hint.fix ?? hint.description)];
      }
      const closest = typeof raw === 'string' ? findClosest(raw, values) : undefined;
      const guess = closest === undefined ? '' : `Did you mean "${closest}"? `;
      return [detail(path, 'value', `Unknown ${hint.noun ?? 'value'} ${showValue(raw)}`, `${guess}Use one of: ${values.join(', ')}.`)];
    }
    case 'invalid_format': {
      const noun = issue.format === 'email' ? 'email address' : (hint.noun ?? 'value');
      return [detail(path, 'value', `${showValue(raw)} is not a valid ${noun}`, hint.fix ?? hint.description)];
    }
    case 'too_small': {
      const message =
        issue.origin === 'array'
          ? `Expected at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}, found ${Array.isArray(raw) && raw.length > 0 ? String(raw.length) : 'none'}`
          : issue.origin === 'string'
            ? 'Must not be empty'
            : issue.message;
      return [detail(path, 'value', message, hint.fix ?? hint.description)];
    }
    case 'custom': {
      const params = (issue.params ?? {}) as { fix?: unknown; key?: unknown };
      const fix = typeof params.fix === 'string' ? params.fix : hint.fix;
      return [detail(path, params.key === true ? 'key' : 'value', issue.message, fix)];
    }
    case 'invalid_key':
    case 'too_big':
    case 'not_multiple_of':
    case 'invalid_union':
    case 'invalid_element':
      return [detail(path, 'value', issue.message, hint.fix ?? hint.description)];
  }
}

/** The wrappers (optional, nullable) and the schema they wrap, outermost first: hints may sit on any of them. */
function layersOf(schema: z.ZodType): z.ZodType[] {
  const layers = [schema];
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
    layers.push(current);
  }
  return layers;
}

/** The schema layers that validate `path`, following object shapes, record values and array items. */
function schemaAt(root: z.ZodType, path: readonly PathSegment[]): z.ZodType[] {
  let layers = layersOf(root);
  for (const segment of path) {
    const current = layers[layers.length - 1];
    let next: z.ZodType | undefined;
    if (current instanceof z.ZodObject) next = (current.shape as Record<string, z.ZodType | undefined>)[String(segment)];
    else if (current instanceof z.ZodRecord) next = current.valueType as z.ZodType;
    else if (current instanceof z.ZodArray) next = current.element as z.ZodType;
    if (next === undefined) return [];
    layers = layersOf(next);
  }
  return layers;
}

function hintOf(layers: readonly z.ZodType[]): FieldHint & { readonly description?: string } {
  let fix: string | undefined;
  let noun: string | undefined;
  let description: string | undefined;
  for (const layer of layers) {
    const hint = policyHints.get(layer);
    fix ??= hint?.fix;
    noun ??= hint?.noun;
    description ??= layer.description;
  }
  return { ...(fix === undefined ? {} : { fix }), ...(noun === undefined ? {} : { noun }), ...(description === undefined ? {} : { description }) };
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}

function expectedNoun(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
      return 'a mapping (key: value)';
    default:
      return expected;
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return 'nothing (an empty value)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
    case 'bigint':
      return 'a number';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** A short scalar is quoted as written; anything else is described rather than dumped. */
function showValue(value: unknown): string {
  if (typeof value === 'string' && value.length <= 80) return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeValue(value);
}
