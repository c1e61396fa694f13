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
  const schema = schemaAt(root, path);
  const hint = hintOf(schema);
  const raw = valueAt(file.data, path);
  const detail = (at: readonly PathSegment[], prefer: 'key' | 'value', message: string, fix: string | undefined): ErrorDetail => {
    const position = locate(file, at, prefer);
    return { file: file.path, line: position.line, column: position.column, field: formatFieldPath(at), message, ...(fix === undefined ? {} : { fix }) };
  };

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
    case 'invalid_key': {
      const key = String(path[path.length - 1]);
      const record = schemaAt(root, path.slice(0, -1));
      const keyHint = hintOf(record instanceof z.ZodRecord ? unwrap(record.keyType as z.ZodType) : undefined);
      return [detail(path, 'key', `"${key}" is not a valid ${keyHint.noun ?? 'key'}`, keyHint.fix ?? keyHint.description)];
    }
    case 'invalid_type': {
      if (raw === undefined) {
        const name = String(path[path.length - 1]);
        const about = hint.description === undefined ? '' : ` (${hint.description})`;
        return [detail(path, 'value', `Missing required field "${name}"`, hint.fix ?? `Add ${name}${about}.`)];
      }
      const fix = issue.expected === 'string' && (typeof raw === 'number' || typeof raw === 'boolean') ? 'Quote the value so it is read as text, e.g. "15".' : undefined;
      return [detail(path, 'value', `Expected ${expectedNoun(issue.expected)} here, found ${describeValue(raw)}`, fix ?? hint.fix ?? hint.description)];
    }
    case 'invalid_value': {
      const values = issue.values.map((value) => String(value));
      if (values.length === 1) {
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
          ? `Expected at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}, found none`
          : issue.origin === 'string'
            ? 'Must not be empty'
            : issue.message;
      return [detail(path, 'value', message, hint.fix ?? hint.description)];
    }
    case 'custom': {
      const params: unknown = issue.params;
      const fix = params !== null && typeof params === 'object' && 'fix' in params && typeof params.fix === 'string' ? params.fix : hint.fix;
      return [detail(path, 'value', issue.message, fix)];
    }
    case 'too_big':
    case 'not_multiple_of':
    case 'invalid_union':
    case 'invalid_element':
      return [detail(path, 'value', issue.message, hint.fix ?? hint.description)];
  }
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
  return current;
}

/** The schema node that validates `path`, following object shapes, record values and array items. */
function schemaAt(root: z.ZodType, path: readonly PathSegment[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(root);
  for (const segment of path) {
    if (current instanceof z.ZodObject) {
      const shape = current.shape as Record<string, z.ZodType | undefined>;
      current = shape[String(segment)];
    } else if (current instanceof z.ZodRecord) {
      current = current.valueType as z.ZodType;
    } else if (current instanceof z.ZodArray) {
      current = current.element as z.ZodType;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
    current = unwrap(current);
  }
  return current;
}

function hintOf(schema: z.ZodType | undefined): FieldHint & { readonly description?: string } {
  if (schema === undefined) return {};
  const hint = policyHints.get(schema) ?? {};
  return schema.description === undefined ? hint : { ...hint, description: schema.description };
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
