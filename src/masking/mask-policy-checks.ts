/**
 * Checks on masks that need more than one field: masks sit on grant rules
 * only (a deny rule has no results to mask), and a hash mask needs a key,
 * named by settings.masking.hash_key_env and present in the environment of
 * the process that validates the policy. Without it the gateway could only
 * refuse every statement touching the column, so the policy is refused
 * instead, at the line of the mask, before anything starts.
 */
import type { ErrorDetail } from '../errors/stint-error.ts';
import { asRecord, type MergedPolicy } from '../policy/policy-merge.ts';
import { formatFieldPath, locate, type PathSegment } from '../policy/policy-yaml.ts';

export function checkMasks(merged: MergedPolicy, env: NodeJS.ProcessEnv): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const settings = merged.settings;
  const keyEnv = asRecord(asRecord(asRecord(settings?.value)?.masking))?.hash_key_env;
  const keyName = typeof keyEnv === 'string' ? keyEnv : undefined;
  const keyMissing = keyName !== undefined && (env[keyName] ?? '') === '';
  for (const entry of merged.sections.roles.values()) {
    const denies = asRecord(entry.value)?.deny;
    if (Array.isArray(denies)) {
      denies.forEach((rule: unknown, ruleIndex) => {
        if (asRecord(rule)?.mask === undefined) return;
        const path: PathSegment[] = [entry.section, entry.rawKey, 'deny', ruleIndex, 'mask'];
        const at = locate(entry.file, path, 'key');
        errors.push({
          file: entry.file.path,
          line: at.line,
          column: at.column,
          field: formatFieldPath(path),
          message: 'mask belongs on grant rules; a deny rule has nothing to mask',
          fix: 'Move mask to the grant rule of the same resources (masks from every grant rule that applies are combined).',
        });
      });
    }
    const grants = asRecord(entry.value)?.grants;
    if (!Array.isArray(grants)) continue;
    grants.forEach((rule: unknown, ruleIndex) => {
      const masks = asRecord(rule)?.mask;
      if (!Array.isArray(masks)) return;
      masks.forEach((mask: unknown, maskIndex) => {
        if (asRecord(mask)?.strategy !== 'hash') return;
        const path: PathSegment[] = [entry.section, entry.rawKey, 'grants', ruleIndex, 'mask', maskIndex, 'strategy'];
        const at = locate(entry.file, path);
        const place = { file: entry.file.path, line: at.line, column: at.column, field: formatFieldPath(path) };
        if (keyName === undefined) {
          errors.push({
            ...place,
            message: 'A hash mask needs a key, and settings.masking.hash_key_env names none',
            fix: 'Add settings: { masking: { hash_key_env: STINT_MASK_HASH_KEY } } and set that environment variable on every gateway node to the same long random secret.',
          });
        } else if (keyMissing) {
          errors.push({
            ...place,
            message: `A hash mask needs its key, and the environment variable ${keyName} (settings.masking.hash_key_env) is not set`,
            fix: `Set ${keyName} to a long random secret (the same on every gateway node), e.g. export ${keyName}=$(openssl rand -hex 32), then validate again.`,
          });
        }
      });
    });
  }
  return errors;
}
