/** Any character outside 7-bit ASCII (U+0080 and up). */
const NOT_ASCII = /[\u0080-\uffff]/;
const NOT_ASCII_WORD = /[^a-z0-9]+/g;

/**
 * Search text normalisation shared by indexing and querying, on both engines.
 *
 * Lower-cased, accents removed, and every run of characters that is not a
 * letter or a digit turned into one space. SQLite's FTS5 (unicode61) and
 * PostgreSQL's `to_tsvector('simple', ...)` then both see the same plain words,
 * so they agree on what matches: `alice@vendor.example` becomes the three words
 * `alice vendor example` on both, instead of one email token on PostgreSQL and
 * three words on SQLite.
 */
export function normaliseSearchText(text: string): string {
  // Most audit text is ASCII (codes, emails, SQL): there NFKD and mark removal change nothing, and the
  // letters and digits are exactly [a-z0-9] once lower-cased, so the Unicode-aware passes can be skipped.
  if (!NOT_ASCII.test(text)) return text.toLowerCase().replace(NOT_ASCII_WORD, ' ').trim();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Splits what a person typed into search words (on whitespace), each normalised;
 * a word that normalises to several (an email, a dotted name) stays one phrase.
 */
export function searchPhrases(text: string): string[] {
  const phrases: string[] = [];
  for (const word of text.split(/\s+/)) {
    const phrase = normaliseSearchText(word);
    if (phrase !== '') phrases.push(phrase);
  }
  return phrases;
}

/** Every string value inside a JSON value, depth first: what full-text search sees of `data`. */
export function collectStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    into.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) collectStrings(member, into);
  }
  return into;
}
