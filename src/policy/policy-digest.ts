import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.ts';
import type { CompiledPolicy } from './policy-types.ts';

/**
 * SHA-256 (hex) over the canonical JSON of a compiled policy. The compiled
 * form is already normalised and sorted, so equal policies have equal
 * digests however their files are laid out; plan and drift compare these.
 */
export function policyDigest(compiled: CompiledPolicy): string {
  return createHash('sha256').update(canonicalJson(compiled)).digest('hex');
}
