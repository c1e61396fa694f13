import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { POLICY_SCHEMA_ID, policyJsonSchema } from './policy-json-schema.ts';

type Schema = Record<string, unknown>;

/**
 * Enough of JSON Schema 2020-12 to check the keywords the policy schema uses;
 * returns where the value breaks the schema. Unknown keywords fail loudly so a
 * schema change cannot pass by being ignored.
 */
function violations(schema: Schema, value: unknown, at = '$'): string[] {
  const known = new Set(['$schema', '$id', 'title', 'description', 'type', 'const', 'enum', 'pattern', 'format', 'minLength', 'minItems', 'minProperties', 'minimum', 'maximum', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'anyOf']);
  const unknown = Object.keys(schema).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`schema keyword(s) not understood by the test validator: ${unknown.join(', ')} at ${at}`);
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (schema.anyOf !== undefined) {
    const options = schema.anyOf as Schema[];
    const results = options.map((option) => violations(option, value, at));
    if (!results.some((result) => result.length === 0)) problems.push(`${at}: matches no anyOf option`, ...results.flat());
  }
  if (schema.type !== undefined) {
    const ok = { string: typeof value === 'string', number: typeof value === 'number', integer: Number.isInteger(value), boolean: typeof value === 'boolean', null: value === null, array: Array.isArray(value), object: isObject(value) }[
      schema.type as string
    ];
    if (ok !== true) return [...problems, `${at}: not of type ${JSON.stringify(schema.type)}`];
  }
  if ('const' in schema && value !== schema.const) problems.push(`${at}: not ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${at}: not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`${at}: too short`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${at}: too few items`);
    if (isObject(schema.items)) value.forEach((item: unknown, index) => problems.push(...violations(schema.items as Schema, item, `${at}[${index}]`)));
  }
  if (isObject(value)) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in value)) problems.push(`${at}: missing ${key}`);
    if (typeof schema.minProperties === 'number' && Object.keys(value).length < schema.minProperties) problems.push(`${at}: too few properties`);
    for (const [key, member] of Object.entries(value)) {
      if (isObject(schema.propertyNames)) problems.push(...violations(schema.propertyNames, key, `${at}.${key} (name)`));
      const own = properties[key];
      if (own !== undefined) problems.push(...violations(own, member, `${at}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: unexpected key ${key}`);
      else if (isObject(schema.additionalProperties)) problems.push(...violations(schema.additionalProperties, member, `${at}.${key}`));
    }
  }
  return problems;
}

const examplesRoot = join(import.meta.dirname, '../../examples');

function exampleFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) return exampleFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

describe('policyJsonSchema', () => {
  const schema = policyJsonSchema();

  it('is a draft 2020-12 schema with an id and a title', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(POLICY_SCHEMA_ID);
    expect(schema.title).toBe('Stint policy file');
    expect(schema.required).toEqual(['version']);
  });

  it('describes every field, so editors can show help', () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const current = node as Schema;
      for (const [key, member] of Object.entries((current.properties ?? {}) as Record<string, Schema>)) {
        if (typeof member.description !== 'string' || member.description === '') undescribed.push(`${at}.${key}`);
        walk(member, `${at}.${key}`);
      }
      for (const keyword of ['additionalProperties', 'items', 'propertyNames'] as const) {
        const member = current[keyword];
        if (member === null || typeof member !== 'object') continue;
        if (typeof (member as Schema).description !== 'string') undescribed.push(`${at}.<${keyword}>`);
        walk(member, `${at}.<${keyword}>`);
      }
      for (const option of (current.anyOf ?? []) as Schema[]) walk(option, at);
    };
    walk(schema, '$');
    expect(undescribed).toEqual([]);
  });

  it.each(exampleFiles(examplesRoot).map((file) => [relative(examplesRoot, file), file]))('accepts the example %s', (_name, file) => {
    expect(violations(schema, parse(readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('the quickstart example is among them', () => {
    expect(exampleFiles(examplesRoot).map((file) => relative(examplesRoot, file))).toContain(join('quickstart', 'policy.yaml'));
  });

  it.each([
    ['no version', { resources: {} }, /missing version/],
    ['version 2', { version: 2 }, /not 1/],
    ['an unknown top-level key', { version: 1, setting: {} }, /unexpected key setting/],
    ['an unknown resource kind', { version: 1, resources: { demo: { kind: 'mysql', address: 'h:1' } } }, /not one of postgres/],
    ['an inline password', { version: 1, resources: { demo: { kind: 'postgres', address: 'h:1', credentials: { user: 'u', password: 'hunter2' } } } }, /does not match/],
    ['an unknown action', { version: 1, roles: { r: { grants: [{ resources: { names: ['demo'] }, actions: ['delete'] }] } } }, /not one of read, write, ddl, admin/],
    ['a bad duration', { version: 1, roles: { r: { max_session: '8 hours' } } }, /does not match/],
    ['a bad resource name', { version: 1, resources: { Demo: { kind: 'postgres', address: 'h:1' } } }, /\(name\): does not match/],
    ['a bad email key', { version: 1, staff: { bob: { roles: ['admin'] } } }, /\(name\): does not match/],
    ['an empty label selector', { version: 1, roles: { r: { grants: [{ resources: { labels: {} }, actions: ['read'] }] } } }, /too few properties/],
  ])('rejects %s', (_what, document, expected) => {
    expect(violations(schema, document).join('\n')).toMatch(expected);
  });
});
