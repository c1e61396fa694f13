/**
 * Finds out whether a classification depended on any literal value, without a
 * list of the places that might: the text is parsed a second time with every
 * literal replaced by a different one of the same kind (its twin), the two
 * trees are compared, and the classifier then walks a copy of the first tree
 * that notes every read of a place where the two differ. A classification that
 * read none of them holds for every text of the same shape (see sql-shape.ts);
 * one that read any (a set_config name, a COPY file name, a SET value, EXPLAIN's
 * ANALYZE 0 or 1...) must not be shared.
 */
import { RAW_NODE, type AstObject } from './ast-node.ts';
import type { SqlShape } from './sql-shape.ts';

/** Set when a tracked read touched a literal value. */
export interface LiteralReads {
  touched: boolean;
}

/**
 * The text with every literal replaced by another of the same kind (so the
 * tree keeps its node types) and a different value. A twin string is longer
 * than the original token, so its value cannot be the same; positions move,
 * which is why position fields are left out of the comparison.
 */
export function twinText(sql: string, shape: SqlShape): string {
  const parts: string[] = [];
  let at = 0;
  for (const literal of shape.literals) {
    parts.push(sql.slice(at, literal.start));
    const token = sql.slice(literal.start, literal.end);
    const filler = 'z'.repeat(token.length + 1);
    switch (literal.kind) {
      case 'string':
        parts.push(`'${filler}'`);
        break;
      case 'estring':
        parts.push(`E'${filler}'`);
        break;
      case 'ustring':
        parts.push(`U&'${filler}'`);
        break;
      case 'nstring':
        parts.push(`N'${filler}'`);
        break;
      case 'bits':
        parts.push(`${token.slice(0, -1)}0'`);
        break;
      case 'hexbits':
        parts.push(`${token.slice(0, -1)}f'`);
        break;
      case 'int':
        parts.push(Number(token) === 7 ? '8' : '7');
        break;
      case 'float':
        parts.push(Number(token) === 0.5 ? '0.25' : '0.5');
        break;
    }
    at = literal.end;
  }
  parts.push(sql.slice(at));
  return parts.join('');
}

/** Fields that hold text positions, which differ between a text and its twin without meaning anything. */
function isPosition(key: string): boolean {
  return key === 'location' || key.endsWith('_location') || key.endsWith('_start') || key.endsWith('_end') || key.endsWith('_len');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

interface Marks {
  /** Every read is of a literal-dependent place (a subtree the twin does not share). */
  readonly all: boolean;
  /** Keys whose value or presence differs from the twin. */
  readonly keys: ReadonlySet<string>;
  /** Whether the set of keys itself differs (so listing them depends on literals). */
  readonly keySetDiffers: boolean;
}

const NO_KEYS: ReadonlySet<string> = new Set();

function handler(marks: Marks, reads: LiteralReads): ProxyHandler<object> {
  const touch = (key: string | symbol): void => {
    if (marks.all || (typeof key === 'string' && marks.keys.has(key))) reads.touched = true;
  };
  return {
    get(target, key) {
      if (key === RAW_NODE) return target;
      touch(key);
      return (target as Record<string | symbol, unknown>)[key];
    },
    has(target, key) {
      touch(key);
      return key in target;
    },
    ownKeys(target) {
      if (marks.all || marks.keySetDiffers) reads.touched = true;
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      touch(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  };
}

/**
 * A read-tracking copy of `node`, compared with `twin` (the same statement
 * parsed from the twin text). Children are tracked copies too; the copy's raw
 * form (RAW_NODE) holds them, so a generic descent stays tracked below.
 */
export function trackLiterals(node: AstObject, twin: unknown, reads: LiteralReads): AstObject {
  return track(node, twin, false, reads) as AstObject;
}

function track(node: unknown, twin: unknown, all: boolean, reads: LiteralReads): unknown {
  if (!isObject(node)) return node;
  const twinObject = !all && isObject(twin) && Array.isArray(twin) === Array.isArray(node) ? twin : undefined;
  const subtreeDiffers = all || twinObject === undefined;
  const keys = new Set<string>();
  let keySetDiffers = false;
  const copyOf = (key: string, value: unknown): unknown => {
    if (subtreeDiffers) return track(value, undefined, true, reads);
    const other = twinObject[key];
    if (!Object.hasOwn(twinObject, key)) {
      keys.add(key);
      keySetDiffers = true;
      return track(value, undefined, true, reads);
    }
    if (isPosition(key)) return track(value, other, false, reads);
    if (!isObject(value) || !isObject(other) || Array.isArray(value) !== Array.isArray(other)) {
      if (value !== other) keys.add(key);
      return isObject(value) ? track(value, undefined, true, reads) : value;
    }
    return track(value, other, false, reads);
  };
  let target: object;
  if (Array.isArray(node)) {
    target = node.map((item, index) => copyOf(String(index), item));
    if (twinObject !== undefined && twinObject.length !== node.length) {
      keys.add('length');
      keySetDiffers = true;
    }
  } else {
    const copy: Record<string, unknown> = {};
    for (const key in node) copy[key] = copyOf(key, node[key]);
    target = copy;
  }
  if (twinObject !== undefined) {
    for (const key in twinObject) {
      if (!Object.hasOwn(node, key)) {
        keys.add(key);
        keySetDiffers = true;
      }
    }
  }
  const marks: Marks = { all: subtreeDiffers, keys: keys.size === 0 ? NO_KEYS : keys, keySetDiffers };
  return new Proxy(target, handler(marks, reads));
}
