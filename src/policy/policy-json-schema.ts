import { z } from 'zod';
import { policyFileSchema } from './policy-schema.ts';

export const POLICY_SCHEMA_ID = 'urn:stint:policy:v1';

/**
 * JSON Schema (draft 2020-12) of one policy file, generated from the same zod
 * schema the loader validates with, so editor help can never disagree with
 * the server. Use: `stint policy schema > stint.schema.json`, then
 * `# yaml-language-server: $schema=./stint.schema.json` at the top of a file.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(policyFileSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  return { ...generated, $id: POLICY_SCHEMA_ID, title: 'Stint policy file' };
}
