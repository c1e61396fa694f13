/**
 * What a masked value becomes. Values arrive as the bytes the server sent
 * (text format, or binary format of a text-like type, where the bytes are the
 * string); the result is the bytes to send instead, or null for SQL NULL.
 *
 * Rule for types that are not text-like (numbers, dates, uuid, json, arrays,
 * anything the gateway does not recognise): every strategy sends NULL. A
 * replacement string would not parse as the column's type on the client
 * (and in binary format would be garbage), and anything derived from the
 * value, such as its length, could leak it.
 */
import { createHmac } from 'node:crypto';
import type { ColumnMask } from './mask-rules.ts';

/** What redact sends for a text value. */
export const REDACTED_TEXT = '***';
/** The character partial puts in place of each hidden character. */
export const PARTIAL_FILL = '*';
/** Hex digits of the HMAC kept by hash (128 bits: collisions are not a practical concern). */
export const HASH_HEX_CHARS = 32;

/**
 * Type OIDs whose text and binary forms are both the plain string:
 * text, varchar, bpchar (char(n)), name.
 */
const TEXT_LIKE_TYPES: ReadonlySet<number> = new Set([25, 1043, 1042, 19]);

export function isTextLikeType(typeOid: number): boolean {
  return TEXT_LIKE_TYPES.has(typeOid);
}

const REDACTED_BYTES = Buffer.from(REDACTED_TEXT);

/** A compiled masker for one column: value bytes in, value bytes (or NULL) out. */
export type ValueMasker = (value: Buffer) => Buffer | null;

const TO_NULL: ValueMasker = () => null;

/**
 * The masker for a column of `typeOid`. `hashKey` must be given when the mask
 * is a hash; the caller refuses to run without it (fail closed).
 */
export function valueMasker(mask: ColumnMask, typeOid: number, hashKey: Buffer | null): ValueMasker {
  if (!isTextLikeType(typeOid)) return TO_NULL;
  switch (mask.strategy) {
    case 'redact':
      return () => REDACTED_BYTES;
    case 'hash': {
      if (hashKey === null) throw new Error('a hash mask needs its key');
      return (value) => Buffer.from(hashText(value, hashKey));
    }
    case 'partial': {
      const keep = mask.keep ?? 0;
      return (value) => Buffer.from(partialText(value.toString('utf8'), keep));
    }
  }
}

/**
 * HMAC-SHA-256 of the value's bytes under the operator's key, as hex: equal
 * values give equal output across sessions and gateway nodes sharing the key,
 * so masked columns still join and group, while the clear value cannot be
 * recovered or guessed without the key.
 */
export function hashText(value: Uint8Array, key: Uint8Array): string {
  return createHmac('sha256', key).update(value).digest('hex').slice(0, HASH_HEX_CHARS);
}

/** Keeps the last `keep` characters (code points) and hides the rest, one fill character each. */
export function partialText(value: string, keep: number): string {
  const characters = Array.from(value);
  const hidden = Math.max(0, characters.length - keep);
  return PARTIAL_FILL.repeat(hidden) + characters.slice(hidden).join('');
}

/** A text value (as COPY rows carry them) masked the same way; null means NULL. */
export function maskTextValue(value: string, mask: ColumnMask, typeOid: number, hashKey: Buffer | null): string | null {
  const masked = valueMasker(mask, typeOid, hashKey)(Buffer.from(value));
  return masked === null ? null : masked.toString('utf8');
}
