/**
 * A canonical JSON encoding: object keys sorted, no whitespace, `undefined`
 * members dropped. Hashes (policy digest, audit chain) are taken over this so
 * that equal values always hash equally, whatever order they were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => (item === undefined ? null : sortDeep(item)));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = sortDeep(member);
    }
    return sorted;
  }
  return value;
}
