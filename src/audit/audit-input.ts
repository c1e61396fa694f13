import { StintError } from '../errors/stint-error.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { AUDIT_CODES } from './audit-codes.ts';
import type { AuditEventInput, AuditOutcome } from './audit-event.ts';
import { collectStrings, normaliseSearchText } from './audit-text.ts';

/** Limits that keep one oversized event from stalling the log (sizes are UTF-8 bytes). */
export const AUDIT_LIMITS = {
  dataBytes: 64 * 1024,
  /** How much of oversized data is kept, as its JSON text, in `data.preview`. */
  dataPreviewBytes: 16 * 1024,
  summaryBytes: 8 * 1024,
  /** actor, resource and subject. */
  fieldBytes: 1024,
  dataDepth: 64,
} as const;

export const TRUNCATION_MARKER = '…[truncated]';

/** An input checked, normalised and capped, ready to be chained; everything but seq and hashes. */
export interface PreparedEvent {
  readonly ts: number;
  readonly code: string;
  readonly outcome: AuditOutcome;
  readonly actor: string;
  readonly resource: string | null;
  readonly subject: string | null;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** Canonical JSON of `data`, stored as is and spliced into the hash body. */
  readonly dataJson: string;
  /** Normalised full-text body: summary, code, actor, resource, subject and data's string values. */
  readonly searchBody: string;
}

function invalid(message: string): StintError {
  return new StintError('STINT_ERR_INTERNAL', `Audit event rejected: ${message}`);
}

/**
 * Checks and normalises one input. Throws STINT_ERR_INTERNAL for what only a
 * programming error can produce (unknown code, data that is not JSON), so the
 * bad event fails alone and never joins, or poisons, a batch.
 */
export function prepareAuditInput(input: AuditEventInput, ts: number): PreparedEvent {
  const { code } = input;
  if (typeof code !== 'string' || !Object.hasOwn(AUDIT_CODES, code)) throw invalid(`unknown audit code ${String(code)}.`);
  if (typeof input.actor !== 'string' || input.actor.trim() === '') throw invalid(`${code} has no actor.`);
  if (typeof input.summary !== 'string') throw invalid(`${code} has no summary.`);
  const resource = optionalText(input.resource, 'resource', code);
  const subject = optionalText(input.subject, 'subject', code);

  const rawData: unknown = input.data ?? {};
  if (!isPlainObject(rawData)) throw invalid(`${code} data must be a plain object.`);
  // One walk checks the data and builds what JSON.parse(canonicalJson(data)) would give
  // (keys sorted, Dates as ISO text, undefined members gone), so it is serialised once and never parsed back.
  let data = canonicalCopy(rawData, 'data', 0, new Set()) as Record<string, unknown>;
  let dataJson = JSON.stringify(data);
  const dataBytes = Buffer.byteLength(dataJson);
  if (dataBytes > AUDIT_LIMITS.dataBytes) {
    data = { truncated: true, originalBytes: dataBytes, preview: truncateUtf8(dataJson, AUDIT_LIMITS.dataPreviewBytes) };
    dataJson = canonicalJson(data);
  }

  const event = {
    ts,
    code,
    outcome: AUDIT_CODES[code].outcome,
    actor: truncateUtf8(input.actor, AUDIT_LIMITS.fieldBytes),
    resource: resource === null ? null : truncateUtf8(resource, AUDIT_LIMITS.fieldBytes),
    subject: subject === null ? null : truncateUtf8(subject, AUDIT_LIMITS.fieldBytes),
    summary: truncateUtf8(input.summary, AUDIT_LIMITS.summaryBytes),
    data,
    dataJson,
  };
  return { ...event, searchBody: searchBodyOf(event) };
}

/** What full-text search indexes for an event (the same text on both engines). */
export function searchBodyOf(event: {
  readonly code: string;
  readonly actor: string;
  readonly resource: string | null;
  readonly subject: string | null;
  readonly summary: string;
  readonly data: unknown;
}): string {
  const parts = [event.summary, event.code, event.actor, event.resource ?? '', event.subject ?? '', ...collectStrings(event.data)];
  return normaliseSearchText(parts.join(' '));
}

/** Cuts text to at most `maxBytes` of UTF-8 (marker included), never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const bytes = Buffer.from(text);
  let end = Math.max(0, maxBytes - Buffer.byteLength(TRUNCATION_MARKER));
  // Step back over UTF-8 continuation bytes (10xxxxxx) to a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8') + TRUNCATION_MARKER;
}

function optionalText(value: unknown, field: string, code: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${code} ${field} must be a string.`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Accepts only what survives JSON unchanged: JSON.stringify would silently drop
 * a function, turn NaN into null and a Map into {}, and throw on bigint and
 * cycles — an audit record must not quietly lose what the caller meant.
 * Returns the value as canonical JSON would carry it: plain objects with their
 * keys in sorted order and no undefined members, undefined array items as null,
 * Dates as their ISO text, -0 as 0; a `__proto__` key is dropped, as
 * canonicalJson drops it. JSON.stringify of the result is canonicalJson of the input.
 */
function canonicalCopy(value: unknown, path: string, depth: number, ancestors: Set<object>): unknown {
  if (depth > AUDIT_LIMITS.dataDepth) throw invalid(`${path} is nested more than ${AUDIT_LIMITS.dataDepth} levels deep.`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${path} is ${value}, which JSON cannot hold.`);
      return value === 0 ? 0 : value;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw invalid(`${path} is a ${typeof value}, which is not JSON-serialisable.`);
    case 'object':
      break;
  }
  if (value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(`${path} is an invalid Date.`);
    return value.toISOString();
  }
  if (ancestors.has(value)) throw invalid(`${path} refers back to itself (a cycle).`);
  if (Array.isArray(value)) {
    ancestors.add(value);
    // Indexed, not mapped: a hole becomes null, as it does in JSON.
    const items: unknown[] = [];
    for (let index = 0; index < value.length; index += 1) items.push(canonicalCopy(value[index], `${path}[${index}]`, depth + 1, ancestors) ?? null);
    ancestors.delete(value);
    return items;
  }
  if (!isPlainObject(value)) throw invalid(`${path} is a ${value.constructor?.name ?? 'non-plain object'}, not a plain object.`);
  ancestors.add(value);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = canonicalCopy(value[key], `${path}.${key}`, depth + 1, ancestors);
    if (member !== undefined && key !== '__proto__') copy[key] = member;
  }
  ancestors.delete(value);
  return copy;
}
