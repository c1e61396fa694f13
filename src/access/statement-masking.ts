/**
 * The masking criterion: after every other check has allowed a statement,
 * attach what the gateway must do with its results (mask columns, cut rows),
 * and refuse it when it would use a masked column in a way no rewriting of
 * results can hide (see sql/column-references.ts for what counts).
 *
 * Resources without masks or row limits for the contractor pay one lookup
 * each and get the allow decision back untouched.
 */
import { maskedColumnsOf, maskedColumnsOfAnySchema, tableOfPattern, type MaskSet } from '../masking/mask-rules.ts';
import { findColumnLeaks, type ColumnLeak, type SensitiveColumns } from '../sql/column-references.ts';
import { isAstObject } from '../sql/ast-node.ts';
import { parseSql } from '../sql/sql-parser.ts';
import type { AccessIndex, NumberedGuardrail } from './access-index.ts';
import type { AccessIdentity } from './decide.ts';
import { NO_OBLIGATIONS, type Decision, type MaskObligation, type Obligation, type RowLimitObligation } from './decision.ts';

/** What the criterion reads of a statement; the SQL classifier's StatementInfo fits. */
export interface MaskedStatement {
  /**
   * The statement's own text. Without it nothing can be checked statically
   * and only the obligations are attached: callers judging real statements
   * (the gateway) always pass it.
   */
  readonly text?: string;
  /** For EXECUTE: the text of what was prepared under that name (a PREPARE or a protocol-level Parse). */
  readonly runsText?: string;
}

export function applyMasking(index: AccessIndex, identity: AccessIdentity, resource: string, statement: MaskedStatement, decision: Decision): Decision {
  if (!decision.allow) return decision;
  const masks = index.masks(identity.email, resource);
  const limit = rowLimit(index.guardrails(resource));
  if (masks === undefined && limit === undefined) return decision;
  if (masks !== undefined) {
    const leak = findLeak(masks, statement);
    if (leak !== undefined) return maskedColumnDenial(leak, resource);
  }
  return { ...decision, obligations: obligationsFor(masks, limit) };
}

function findLeak(masks: MaskSet, statement: MaskedStatement): ColumnLeak | undefined {
  if (statement.text === undefined) return undefined;
  const sensitive = sensitiveColumns(masks);
  const own = leaksIn(statement.text, sensitive);
  if (own.leak !== undefined || statement.runsText === undefined) return own.leak;
  const runs = leaksIn(statement.runsText, sensitive);
  if (runs.leak !== undefined) return runs.leak;
  // CREATE TABLE AS EXECUTE copies what the prepared statement returns, masked columns in clear.
  if (runs.touches && own.copies) return { column: 'a masked column', place: 'CREATE TABLE AS EXECUTE (copies clear data)' };
  return undefined;
}

function leaksIn(text: string, sensitive: SensitiveColumns): { leak?: ColumnLeak; touches: boolean; copies: boolean } {
  const parsed = parseSql(text);
  // The classifier refuses what does not parse before this runs; should it not, nothing unjudged passes.
  if (!parsed.ok) return { leak: { column: 'the statement', place: 'text that could not be parsed' }, touches: true, copies: false };
  let touches = false;
  let copies = false;
  for (const raw of parsed.statements) {
    const usage = findColumnLeaks(raw.node, sensitive);
    if (usage.leaks.length > 0) return { leak: usage.leaks[0]!, touches: true, copies };
    touches ||= usage.touchesSensitive;
    copies ||= isAstObject(raw.node.CreateTableAsStmt);
  }
  return { touches, copies };
}

const SENSITIVE = new WeakMap<MaskSet, SensitiveColumns>();

/** The mask set as the column analysis asks it: sensitive column names per table, cached per set. */
function sensitiveColumns(masks: MaskSet): SensitiveColumns {
  let found = SENSITIVE.get(masks);
  if (found === undefined) {
    const cache = new Map<string, ReadonlySet<string>>();
    const cached = (key: string, compute: () => string[]): ReadonlySet<string> => {
      let names = cache.get(key);
      if (names === undefined) {
        names = new Set(compute());
        if (cache.size < 1000) cache.set(key, names);
      }
      return names;
    };
    found = {
      of: (table) => cached(table, () => maskedColumnsOf(masks, table.slice(0, table.indexOf('.')), table.slice(table.indexOf('.') + 1))),
      // Unqualified: the search_path decides the schema, and it is not known here.
      ofUnqualified: (table) => cached(`?${table}`, () => maskedColumnsOfAnySchema(masks, table)),
    };
    SENSITIVE.set(masks, found);
  }
  return found;
}

/** The smallest max_rows of the guardrails on the resource, with the guardrail that sets it. */
function rowLimit(guardrails: readonly NumberedGuardrail[]): RowLimitObligation | undefined {
  if (guardrails.length === 0) return undefined;
  let cached = LIMITS.get(guardrails);
  if (cached === undefined) {
    let best: RowLimitObligation | null = null;
    for (const { number, rule } of guardrails) {
      if (rule.maxRows !== undefined && (best === null || rule.maxRows < best.limit)) best = Object.freeze({ kind: 'max_rows', limit: rule.maxRows, guardrail: number });
    }
    cached = best;
    LIMITS.set(guardrails, cached);
  }
  return cached ?? undefined;
}

const LIMITS = new WeakMap<readonly NumberedGuardrail[], RowLimitObligation | null>();
const OBLIGATIONS = new WeakMap<MaskSet, Map<RowLimitObligation | undefined, readonly Obligation[]>>();
const NO_MASK_KEY: MaskSet = Object.freeze({ masks: [], hashKeyEnv: null, byColumn: new Map() });

/** Built once per mask set and row limit, so allowing a statement allocates only the decision. */
function obligationsFor(masks: MaskSet | undefined, limit: RowLimitObligation | undefined): readonly Obligation[] {
  const key = masks ?? NO_MASK_KEY;
  let byLimit = OBLIGATIONS.get(key);
  if (byLimit === undefined) {
    byLimit = new Map();
    OBLIGATIONS.set(key, byLimit);
  }
  let found = byLimit.get(limit);
  if (found === undefined) {
    const list: Obligation[] = masks === undefined ? [] : maskObligations(masks);
    if (limit !== undefined) list.push(limit);
    found = list.length === 0 ? NO_OBLIGATIONS : Object.freeze(list);
    byLimit.set(limit, found);
  }
  return found;
}

function maskObligations(masks: MaskSet): MaskObligation[] {
  const byTable = new Map<string, string[]>();
  for (const mask of masks.masks) {
    const table = tableOfPattern(mask.column);
    const columns = byTable.get(table) ?? [];
    columns.push(mask.column.slice(table.length + 1));
    byTable.set(table, columns);
  }
  return [...byTable].map(([table, columns]) => Object.freeze({ kind: 'mask', table, columns: Object.freeze(columns), set: masks }));
}

export function maskedColumnDenial(leak: ColumnLeak, resource: string): Decision {
  return {
    allow: false,
    reason: 'DENY_MASKED_COLUMN',
    message: maskedColumnMessage(leak, resource),
    obligations: NO_OBLIGATIONS,
    expiresAt: null,
  };
}

export function maskedColumnMessage(leak: ColumnLeak, resource: string): string {
  return `${leak.column} is masked for you on ${resource} and may appear only as a plain column of the SELECT list, but this statement uses it in ${leak.place}; select the column plainly (its values arrive masked) or leave it out of the statement`;
}
