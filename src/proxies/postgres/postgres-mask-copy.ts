import { maskForColumn, maskForColumnAnySchema, type MaskSet } from '../../masking/mask-rules.ts';
import { maskTextValue } from '../../masking/mask-strategies.ts';
import { defElems, listField, stringValue, structField, type AstObject } from '../../sql/ast-node.ts';
import { copyQueryText } from '../../sql/column-references-copy.ts';
import { parseSql } from '../../sql/sql-parser.ts';
import type { CatalogTable } from './postgres-mask-catalog.ts';

/**
 * Masking of `COPY table [(columns)] TO STDOUT` and `COPY (query) TO STDOUT`
 * in text and csv format. The server sends one CopyData message per row, so
 * each message is one line to split into fields, mask and join again with the
 * same quoting rules. Which column each field is comes from the catalog: the
 * table's columns in order, or the server's description of the query. Binary
 * COPY and COPY to server files are refused before they run when they touch
 * masked columns (see sql/column-references.ts), so they never reach here.
 */

export interface CopyTarget {
  /** The table as written (`schema.table` or `table`), for the catalog; null for COPY (query). */
  readonly table: string | null;
  /** The query of COPY (query), which the catalog describes; null for COPY table. */
  readonly query: string | null;
  readonly columns: readonly string[] | null;
  readonly csv: boolean;
  readonly delimiter: string;
  readonly nullText: string;
  readonly quote: string;
  readonly escape: string;
  readonly header: boolean;
}

/** What a COPY statement sends, or undefined when it is not `COPY table|(query) TO STDOUT`. */
export function copyTarget(text: string): CopyTarget | undefined {
  const parsed = parseSql(text);
  if (!parsed.ok || parsed.statements.length !== 1) return undefined;
  const copy = (parsed.statements[0]!.node as { CopyStmt?: AstObject }).CopyStmt;
  if (copy === undefined || copy.is_from === true) return undefined;
  const relation = structField(copy, 'relation', 'RangeVar');
  const query = relation === undefined && copy.query !== undefined ? copyQueryText(text) : undefined;
  if (relation === undefined && query === undefined) return undefined;
  const options = new Map(defElems(listField(copy, 'options')).map((option) => [option.name.toLowerCase(), option.arg]));
  const csv = stringValue(options.get('format'))?.toLowerCase() === 'csv';
  const quote = stringValue(options.get('quote')) ?? '"';
  const columns = listField(copy, 'attlist').map((item) => stringValue(item) ?? '');
  return {
    table: relation === undefined ? null : [relation.schemaname, relation.relname].filter((part) => typeof part === 'string').join('.'),
    query: query ?? null,
    columns: columns.length === 0 ? null : columns,
    csv,
    delimiter: stringValue(options.get('delimiter')) ?? (csv ? ',' : '\t'),
    nullText: stringValue(options.get('null')) ?? (csv ? '' : '\\N'),
    quote,
    escape: stringValue(options.get('escape')) ?? quote,
    header: options.has('header') && stringValue(options.get('header'))?.toLowerCase() !== 'false',
  };
}

/** Per output field: the mask and type, or null. Null as a whole when nothing is masked. */
export type CopyPlan = readonly ({ readonly mask: NonNullable<ReturnType<typeof maskForColumn>>; readonly typeOid: number } | null)[] | null;

export function planCopy(target: CopyTarget, table: CatalogTable, masks: MaskSet): CopyPlan | string {
  const byName = new Map(table.ordered.map((column) => [column.name, column]));
  const columns = target.columns === null ? table.ordered : target.columns.map((name) => byName.get(name));
  const unqualified = target.table !== null && !target.table.includes('.');
  let plan: ({ mask: NonNullable<ReturnType<typeof maskForColumn>>; typeOid: number } | null)[] | null = null;
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index];
    if (column === undefined) return `COPY names a column ${target.columns?.[index] ?? ''} the catalog does not show`;
    // COPY of a table named without its schema: the session's search_path chose it, so any schema's masks count.
    const mask = unqualified ? maskForColumnAnySchema(masks, table.table, column.name) : maskForColumn(masks, table.schema, table.table, column.name);
    if (mask === undefined) continue;
    plan ??= new Array(columns.length).fill(null);
    plan[index] = { mask, typeOid: column.typeOid };
  }
  return plan;
}

/** One CopyData line masked; throws when the line does not have the expected shape (the caller fails closed). */
export function maskCopyLine(line: string, target: CopyTarget, plan: NonNullable<CopyPlan>, hashKey: Buffer | null): string {
  if (!line.endsWith('\n')) throw new Error('a COPY row did not end with a newline');
  const fields = target.csv ? splitCsv(line.slice(0, -1), target) : splitText(line.slice(0, -1), target.delimiter);
  if (fields.length !== plan.length) throw new Error(`a COPY row had ${fields.length} fields, expected ${plan.length}`);
  const out = fields.map((field, index) => {
    const entry = plan[index];
    if (entry === null || entry === undefined || field.value === null) return field.raw;
    const masked = maskTextValue(field.value, entry.mask, entry.typeOid, hashKey);
    if (masked === null) return target.nullText;
    return target.csv ? quoteCsv(masked, target) : escapeText(masked, target.delimiter);
  });
  return `${out.join(target.delimiter)}\n`;
}

interface CopyField {
  readonly raw: string;
  /** The value (unescaped), or null for NULL. */
  readonly value: string | null;
}

const TEXT_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function splitText(line: string, delimiter: string): CopyField[] {
  const fields: CopyField[] = [];
  let start = 0;
  let value = '';
  for (let index = 0; index <= line.length; index++) {
    const char = line[index];
    if (char === '\\' && index + 1 < line.length) {
      const next = line[++index]!;
      value += TEXT_ESCAPES[next] ?? next;
    } else if (char === delimiter || index === line.length) {
      const raw = line.slice(start, index);
      fields.push({ raw, value: raw === '\\N' ? null : value });
      start = index + 1;
      value = '';
    } else value += char;
  }
  return fields;
}

function escapeText(value: string, delimiter: string): string {
  return value.replace(/[\\\n\r\t]/g, (char) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[char]!).split(delimiter).join(`\\${delimiter}`);
}

function splitCsv(line: string, target: CopyTarget): CopyField[] {
  const fields: CopyField[] = [];
  let index = 0;
  for (;;) {
    const start = index;
    let value = '';
    let quoted = false;
    while (index < line.length && line[index] !== target.delimiter) {
      if (line[index] === target.quote) {
        quoted = true;
        index++;
        while (index < line.length) {
          if (line[index] === target.escape && line[index + 1] === target.quote && (target.escape !== target.quote || index + 1 < line.length)) {
            value += target.quote;
            index += 2;
          } else if (line[index] === target.quote) {
            index++;
            break;
          } else value += line[index++];
        }
      } else value += line[index++];
    }
    const raw = line.slice(start, index);
    fields.push({ raw, value: !quoted && raw === target.nullText ? null : value });
    if (index >= line.length) return fields;
    index++;
  }
}

function quoteCsv(value: string, target: CopyTarget): string {
  return `${target.quote}${value.split(target.quote).join(`${target.escape}${target.quote}`)}${target.quote}`;
}
