/**
 * Column masks as the policy names them, and the question every layer asks
 * of them: is this column (schema.table.column) masked, and how? The static
 * leak check asks it of names found in SQL text, the gateway of names found
 * in the catalog; both must get the same answer, so both come here.
 *
 * Matching is case-insensitive. Patterns are written in lower case, and a
 * quoted mixed-case identifier ("Customers"."Email") still counts as the
 * masked column: masking more than was meant is the safe mistake.
 */

export const MASK_STRATEGIES = ['redact', 'hash', 'partial'] as const;
export type MaskStrategy = (typeof MASK_STRATEGIES)[number];

/** One masked column pattern with its strategy. */
export interface ColumnMask {
  /** `schema.table.column` or `*.column`, lower-case; an unqualified table was given `public.`. */
  readonly column: string;
  readonly strategy: MaskStrategy;
  /** partial: how many trailing characters stay readable. */
  readonly keep?: number;
}

/** What a policy may write: `table.column`, `schema.table.column`, or `*.column`. */
export const COLUMN_PATTERN = /^(?:\*|[a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)\.[a-z_][a-z0-9_$]*$/;

/** `customers.email` → `public.customers.email`; other forms are kept (lower-cased). */
export function normaliseColumnPattern(pattern: string): string {
  const lower = pattern.toLowerCase();
  return lower.split('.').length === 2 && !lower.startsWith('*.') ? `public.${lower}` : lower;
}

/** The masks that apply to one contractor on one resource, compiled for lookups. */
export interface MaskSet {
  readonly masks: readonly ColumnMask[];
  /** The environment variable holding the HMAC key, when a hash mask is used. */
  readonly hashKeyEnv: string | null;
  /** Column name → masks naming it (exact table or any table). */
  readonly byColumn: ReadonlyMap<string, readonly ColumnMask[]>;
}

const STRENGTH: Readonly<Record<MaskStrategy, number>> = { redact: 3, hash: 2, partial: 1 };

/**
 * Of two masks on the same column, the one that reveals less: redact, then
 * hash, then partial with the fewest characters kept. So two roles masking
 * a column differently leave it as hidden as the stricter one says.
 */
export function stricterMask(a: ColumnMask, b: ColumnMask): ColumnMask {
  if (STRENGTH[a.strategy] !== STRENGTH[b.strategy]) return STRENGTH[a.strategy] > STRENGTH[b.strategy] ? a : b;
  return (a.keep ?? 0) <= (b.keep ?? 0) ? a : b;
}

export function buildMaskSet(masks: readonly ColumnMask[], hashKeyEnv: string | null): MaskSet {
  const unique = new Map<string, ColumnMask>();
  for (const mask of masks) {
    const known = unique.get(mask.column);
    unique.set(mask.column, known === undefined ? mask : stricterMask(known, mask));
  }
  const byColumn = new Map<string, ColumnMask[]>();
  for (const mask of unique.values()) {
    const name = columnName(mask.column);
    const list = byColumn.get(name);
    if (list === undefined) byColumn.set(name, [mask]);
    else list.push(mask);
  }
  const sorted = [...unique.values()].sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  return Object.freeze({ masks: Object.freeze(sorted), hashKeyEnv, byColumn });
}

/** The column part of a pattern. */
export function columnName(pattern: string): string {
  return pattern.slice(pattern.lastIndexOf('.') + 1);
}

/** The table part of a pattern (`schema.table`), or `*`. */
export function tableOfPattern(pattern: string): string {
  return pattern.slice(0, pattern.lastIndexOf('.'));
}

/** The mask on `schema.table.column`, if any (the strictest when several match). */
export function maskForColumn(set: MaskSet, schema: string, table: string, column: string): ColumnMask | undefined {
  const candidates = set.byColumn.get(column.toLowerCase());
  if (candidates === undefined) return undefined;
  const qualified = `${schema}.${table}`.toLowerCase();
  let found: ColumnMask | undefined;
  for (const mask of candidates) {
    const owner = tableOfPattern(mask.column);
    if (owner !== '*' && owner !== qualified) continue;
    found = found === undefined ? mask : stricterMask(found, mask);
  }
  return found;
}

/** The strictest mask on a column of a table of this name in any schema (for names written without one). */
export function maskForColumnAnySchema(set: MaskSet, table: string, column: string): ColumnMask | undefined {
  const candidates = set.byColumn.get(column.toLowerCase());
  if (candidates === undefined) return undefined;
  const suffix = `.${table.toLowerCase()}`;
  let found: ColumnMask | undefined;
  for (const mask of candidates) {
    const owner = tableOfPattern(mask.column);
    if (owner !== '*' && !owner.endsWith(suffix)) continue;
    found = found === undefined ? mask : stricterMask(found, mask);
  }
  return found;
}

/** Whether any mask could apply to a column of this table (`*.column` masks apply to every table). */
export function tableHasMasks(set: MaskSet, schema: string, table: string): boolean {
  const qualified = `${schema}.${table}`.toLowerCase();
  return set.masks.some((mask) => {
    const owner = tableOfPattern(mask.column);
    return owner === '*' || owner === qualified;
  });
}

/** The masked column names a table may have: those named for it and those masked in every table. */
export function maskedColumnsOf(set: MaskSet, schema: string, table: string): string[] {
  const qualified = `${schema}.${table}`.toLowerCase();
  const names = new Set<string>();
  for (const mask of set.masks) {
    const owner = tableOfPattern(mask.column);
    if (owner === '*' || owner === qualified) names.add(columnName(mask.column));
  }
  return [...names].sort();
}

/**
 * The masked column names a table written without its schema may have: the
 * session's search_path could make it any schema's table of that name, so
 * the masks of every one of them count (fail closed).
 */
export function maskedColumnsOfAnySchema(set: MaskSet, table: string): string[] {
  const suffix = `.${table.toLowerCase()}`;
  const names = new Set<string>();
  for (const mask of set.masks) {
    const owner = tableOfPattern(mask.column);
    if (owner === '*' || owner.endsWith(suffix)) names.add(columnName(mask.column));
  }
  return [...names].sort();
}

/** How a mask reads in plans and docs: `public.customers.phone (partial, keep 4)`. */
export function maskText(mask: ColumnMask): string {
  if (mask.strategy === 'partial') return `${mask.column} (partial, keep ${mask.keep ?? 0})`;
  return `${mask.column} (${mask.strategy})`;
}
