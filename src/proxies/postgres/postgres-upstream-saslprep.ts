/**
 * SASLprep (RFC 4013) as PostgreSQL applies it to SCRAM passwords, so the
 * salted password the gateway derives matches what the server stored.
 * PostgreSQL (src/common/saslprep.c) falls back to the raw password whenever
 * SASLprep refuses it, and so does this: the result is what both sides hash.
 *
 * Not reproduced: the Unicode 3.2 unassigned-code-point table and the bidi
 * rule. A password that only those rules refuse is hashed by PostgreSQL as
 * it is and here after mapping and NFKC; the two differ only when mapping or
 * NFKC changed something in such a password, which takes deliberately exotic
 * text.
 */

type Range = readonly [number, number];

/** RFC 3454 C.1.2, mapped to U+0020 before normalisation and prohibited after it. */
const NON_ASCII_SPACE: readonly Range[] = [
  [0x00a0, 0x00a0],
  [0x1680, 0x1680],
  [0x2000, 0x200b],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];

/** RFC 3454 B.1, "commonly mapped to nothing". */
const MAPPED_TO_NOTHING: readonly Range[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x1806, 0x1806],
  [0x180b, 0x180d],
  [0x200b, 0x200d],
  [0x2060, 0x2060],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
];

/** RFC 3454 C.2.1 to C.9 (C.1.2 is checked from its own table). */
const PROHIBITED: readonly Range[] = [
  // C.2.1 ASCII control characters
  [0x0000, 0x001f],
  [0x007f, 0x007f],
  // C.2.2 non-ASCII control characters
  [0x0080, 0x009f],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x180e, 0x180e],
  [0x200c, 0x200d],
  [0x2028, 0x2029],
  [0x2060, 0x2063],
  [0x206a, 0x206f],
  [0xfeff, 0xfeff],
  [0xfff9, 0xfffc],
  [0x1d173, 0x1d17a],
  // C.3 private use
  [0xe000, 0xf8ff],
  [0xf0000, 0xffffd],
  [0x100000, 0x10fffd],
  // C.4 non-character code points (the last two of every plane, checked below, and this block)
  [0xfdd0, 0xfdef],
  // C.5 surrogates
  [0xd800, 0xdfff],
  // C.6 inappropriate for plain text
  [0xfff9, 0xfffd],
  // C.7 inappropriate for canonical representation
  [0x2ff0, 0x2ffb],
  // C.8 change display properties or deprecated
  [0x0340, 0x0341],
  [0x200e, 0x200f],
  [0x202a, 0x202e],
  // C.9 tagging characters
  [0xe0001, 0xe0001],
  [0xe0020, 0xe007f],
];

function inRanges(code: number, ranges: readonly Range[]): boolean {
  return ranges.some(([low, high]) => code >= low && code <= high);
}

function isProhibited(code: number): boolean {
  return inRanges(code, NON_ASCII_SPACE) || inRanges(code, PROHIBITED) || (code & 0xfffe) === 0xfffe;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The password PostgreSQL hashes for SCRAM: SASLprep'd when SASLprep accepts it, else as it is. */
export function scramPassword(password: string): string {
  // Pure ASCII passes through untouched, control characters included, as in PostgreSQL.
  if (isAscii(password)) return password;
  let mapped = '';
  for (const char of password) {
    const code = char.codePointAt(0)!;
    if (inRanges(code, NON_ASCII_SPACE)) mapped += ' ';
    else if (!inRanges(code, MAPPED_TO_NOTHING)) mapped += char;
  }
  const normalized = mapped.normalize('NFKC');
  for (const char of normalized) {
    if (isProhibited(char.codePointAt(0)!)) return password;
  }
  return normalized;
}
