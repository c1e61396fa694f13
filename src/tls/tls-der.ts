import { isIPv4, isIPv6 } from 'node:net';

/**
 * The handful of DER (X.690) encodings an X.509 certificate needs. Node can
 * read and verify certificates (crypto.X509Certificate) but not write them;
 * writing one takes only these primitives, which keeps the gateway free of a
 * certificate library and of the global polyfills such libraries load.
 */

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: tag byte, definite length, contents. */
export function der(tag: number, ...contents: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.of(tag), derLength(body.length), body]);
}

export function derSequence(...items: readonly Uint8Array[]): Buffer {
  return der(0x30, ...items);
}

export function derSet(...items: readonly Uint8Array[]): Buffer {
  return der(0x31, ...items);
}

/** A non-negative INTEGER from big-endian magnitude bytes, in the minimal form DER requires. */
export function derUnsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = Buffer.from(magnitude.subarray(start));
  if (trimmed.length === 0) return der(0x02, Buffer.of(0));
  // A set high bit would read as negative; a leading zero byte keeps it positive.
  return der(0x02, (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed);
}

export function derSmallInteger(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${value} is not a non-negative integer`);
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return derUnsignedInteger(Buffer.from(bytes));
}

export function derBoolean(value: boolean): Buffer {
  return der(0x01, Buffer.of(value ? 0xff : 0x00));
}

export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new RangeError(`"${dotted}" is not an object identifier`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    // Base 128, most significant group first, high bit set on all but the last.
    const groups = [arc % 128];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) groups.unshift((value % 128) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

export function derUtf8String(text: string): Buffer {
  return der(0x0c, Buffer.from(text, 'utf8'));
}

export function derOctetString(bytes: Uint8Array): Buffer {
  return der(0x04, bytes);
}

/** A BIT STRING; `unusedBits` counts the padding bits at the end of the last byte. */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  if (unusedBits < 0 || unusedBits > 7) throw new RangeError(`unusedBits must be 0 to 7, got ${unusedBits}`);
  return der(0x03, Buffer.of(unusedBits), bytes);
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * A certificate time: RFC 5280 §4.1.2.5 wants UTCTime through 2049 and
 * GeneralizedTime from 2050 on, both in UTC with whole seconds.
 */
export function derTime(instantMs: number): Buffer {
  const date = new Date(instantMs);
  const year = date.getUTCFullYear();
  const rest =
    twoDigits(date.getUTCMonth() + 1) +
    twoDigits(date.getUTCDate()) +
    twoDigits(date.getUTCHours()) +
    twoDigits(date.getUTCMinutes()) +
    twoDigits(date.getUTCSeconds()) +
    'Z';
  if (year >= 1950 && year < 2050) return der(0x17, Buffer.from(twoDigits(year % 100) + rest, 'latin1'));
  return der(0x18, Buffer.from(String(year).padStart(4, '0') + rest, 'latin1'));
}

/** `[n] EXPLICIT`: a constructed context tag around a whole encoding. */
export function derExplicit(tagNumber: number, inner: Uint8Array): Buffer {
  return der(0xa0 | tagNumber, inner);
}

/** `[n] IMPLICIT` over a primitive type: the context tag replaces the type's own. */
export function derImplicitPrimitive(tagNumber: number, contents: Uint8Array): Buffer {
  return der(0x80 | tagNumber, contents);
}

/** The 4 or 16 network-order bytes of an IP address, as a subjectAltName iPAddress holds it. */
export function ipAddressBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new RangeError(`"${ip}" is not an IP address`);
  let text = ip.replace(/%.*$/, '');
  let tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    // An IPv4 tail (::ffff:1.2.3.4) fills the last two groups.
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    tail = [a * 256 + b, c * 256 + d];
    text = text.slice(0, v4.index);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head = '', after] = text.split('::');
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = groups(head);
  const back = [...(after === undefined ? [] : groups(after)), ...tail];
  const missing = 8 - front.length - back.length;
  const all = after === undefined ? [...front, ...tail] : [...front, ...new Array<number>(missing).fill(0), ...back];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}
