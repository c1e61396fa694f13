import { maskForColumn, type ColumnMask, type MaskSet } from '../../masking/mask-rules.ts';
import { valueMasker, type ValueMasker } from '../../masking/mask-strategies.ts';
import type { MaskCatalog } from './postgres-mask-catalog.ts';
import { dataRow, parseDataRow, type BackendFrame, type RowField } from './postgres-wire.ts';

/**
 * Masking of one result's rows: RowDescription says which table (OID) and
 * column (attnum) each field comes from; the catalog names them; the mask
 * set says which are masked and how. Text and binary formats are handled
 * alike, because only text-like types keep a masked value (whose binary form
 * is the string itself) and every other type becomes NULL.
 */

/** Per field: its masker, or null when the field is not masked. Null as a whole: nothing in the result is masked. */
export type RowPlan = readonly (ValueMasker | null)[] | null;

export type PlanOutcome = { readonly ok: true; readonly plan: RowPlan } | { readonly ok: false; readonly reason: string };

/** Table OIDs of the fields that the catalog must name before the plan can be made. */
export function unknownTables(fields: readonly RowField[], catalog: MaskCatalog): number[] {
  const unknown = new Set<number>();
  for (const field of fields) {
    if (field.tableOid === 0) continue;
    const table = catalog.table(field.tableOid);
    if (table === undefined || !table.columns.has(field.columnAttr)) unknown.add(field.tableOid);
  }
  return [...unknown];
}

export function planRow(fields: readonly RowField[], masks: MaskSet, catalog: MaskCatalog, hashKey: Buffer | null): PlanOutcome {
  const found = fieldMasks(fields, masks, catalog);
  if (!found.ok) return found;
  if (found.masks === null) return { ok: true, plan: null };
  const plan: (ValueMasker | null)[] = [];
  for (let index = 0; index < fields.length; index++) {
    const mask = found.masks[index] ?? null;
    if (mask !== null && mask.strategy === 'hash' && hashKey === null) {
      return { ok: false, reason: `a column of this result is hash-masked but the gateway has no hash key (${masks.hashKeyEnv ?? 'settings.masking.hash_key_env'} is not set)` };
    }
    plan.push(mask === null ? null : valueMasker(mask, fields[index]!.typeOid, hashKey));
  }
  return { ok: true, plan };
}

/** Per field: the mask on the table column it comes from, or null. Null as a whole: no field is masked. */
export function fieldMasks(
  fields: readonly RowField[],
  masks: MaskSet,
  catalog: MaskCatalog,
): { readonly ok: true; readonly masks: readonly (ColumnMask | null)[] | null } | { readonly ok: false; readonly reason: string } {
  let found: (ColumnMask | null)[] | null = null;
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index]!;
    if (field.tableOid === 0) {
      // An expression. The static check refuses masked columns inside expressions; a field named like a
      // masked column that still arrives unattributed is not sent rather than guessed about.
      if (masks.byColumn.has(field.name.toLowerCase())) return { ok: false, reason: `the result column "${field.name}" cannot be traced to a table column, and a column of that name is masked` };
      continue;
    }
    const table = catalog.table(field.tableOid);
    const column = table?.columns.get(field.columnAttr);
    if (table === undefined || column === undefined) {
      return { ok: false, reason: `the result column "${field.name}" (table OID ${field.tableOid}, column ${field.columnAttr}) could not be named from the catalog` };
    }
    const mask = maskForColumn(masks, table.schema, table.table, column);
    if (mask === undefined) continue;
    found ??= new Array<ColumnMask | null>(fields.length).fill(null);
    found[index] = mask;
  }
  return { ok: true, masks: found };
}

/** Replacements of one row, reused from row to row: masking allocates only the row it sends. */
const replacements: (Buffer | null)[] = [];

/**
 * A DataRow with the planned fields masked; the other values are copied as
 * they came, byte ranges at a time. A row whose field count or lengths do not
 * add up is a protocol error (the session is closed, nothing is guessed).
 */
export function maskDataRow(frame: BackendFrame, plan: readonly (ValueMasker | null)[]): Buffer {
  const body = frame.body;
  if (body.length < 2) return maskParsed(frame, plan);
  const count = body.readUInt16BE(0);
  let offset = 2;
  let size = 2;
  for (let index = 0; index < count; index++) {
    if (offset + 4 > body.length) return maskParsed(frame, plan);
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length < -1 || offset + Math.max(length, 0) > body.length) return maskParsed(frame, plan);
    const masker = plan[index];
    if (masker !== undefined && masker !== null && length >= 0) {
      const value = masker(body.subarray(offset, offset + length));
      replacements[index] = value;
      size += 4 + (value === null ? 0 : value.length);
    } else {
      replacements[index] = null;
      size += 4 + Math.max(length, 0);
    }
    offset += Math.max(length, 0);
  }
  if (offset !== body.length) return maskParsed(frame, plan);
  const out = Buffer.allocUnsafe(size + 5);
  out[0] = 0x44; // 'D'
  out.writeInt32BE(size + 4, 1);
  out.writeUInt16BE(count, 5);
  let write = 7;
  offset = 2;
  for (let index = 0; index < count; index++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    const masker = plan[index];
    if (masker !== undefined && masker !== null && length >= 0) {
      const value = replacements[index] ?? null;
      write = out.writeInt32BE(value === null ? -1 : value.length, write);
      if (value !== null) write += value.copy(out, write);
    } else {
      write = out.writeInt32BE(length, write);
      if (length > 0) write += body.copy(out, write, offset, offset + length);
    }
    offset += Math.max(length, 0);
  }
  replacements.length = 0;
  return out;
}

/** The slow, strict path for a row that does not add up: the parser reports what is wrong with it. */
function maskParsed(frame: BackendFrame, plan: readonly (ValueMasker | null)[]): Buffer {
  const values = parseDataRow(frame);
  for (let index = 0; index < values.length; index++) {
    const masker = plan[index];
    const value = values[index];
    if (masker !== undefined && masker !== null && value !== null && value !== undefined) values[index] = masker(value);
  }
  return dataRow(values);
}

/** The hash key from the environment variable the policy names; null when unset or empty. */
export function hashKeyFrom(masks: MaskSet, env: NodeJS.ProcessEnv = process.env): Buffer | null {
  if (masks.hashKeyEnv === null) return null;
  const value = env[masks.hashKeyEnv];
  return value === undefined || value === '' ? null : Buffer.from(value);
}
