/**
 * A single-pass scanner (no regular expressions, no backtracking) that turns
 * SQL text into its shape: literals replaced by a placeholder of their kind,
 * comments and whitespace runs reduced to one separator, every other token
 * kept exactly. Two texts with the same shape tokenise the same way except for
 * literal values, which is what lets the classification cache share one entry
 * between `WHERE id = 1` and `WHERE id = 2`.
 *
 * It follows PostgreSQL's lexer (standard_conforming_strings on, as the parser
 * Stint uses). Wherever a literal's text alone could decide whether the
 * statement parses (backslash escapes, Unicode escapes, bit strings, odd
 * numbers), or two literals could merge into one, it gives up: the caller then
 * classifies without the cache. Giving up is always safe.
 */

export type LiteralKind =
  /** '...', and $tag$...$tag$: a string constant. */
  | 'string'
  /** E'...' without backslashes: a string constant. */
  | 'estring'
  /** U&'...' without backslashes: a string constant. */
  | 'ustring'
  /** N'...': a string cast to character. */
  | 'nstring'
  /** B'...' and X'...': a bit string constant. */
  | 'bits'
  | 'hexbits'
  /** An integer that fits in 32 bits (an Integer node). */
  | 'int'
  /** A decimal, an exponent, or an integer too large for 32 bits (a Float node). */
  | 'float';

export interface ShapeLiteral {
  readonly kind: LiteralKind;
  /** Offsets in the text of the whole literal token, prefix and quotes included. */
  readonly start: number;
  readonly end: number;
}

export interface ShapeStatement {
  /** Offset of the statement's first token, and of its separating semicolon (or the text's end). */
  readonly start: number;
  readonly end: number;
}

export interface SqlShape {
  readonly key: string;
  readonly literals: readonly ShapeLiteral[];
  readonly statements: readonly ShapeStatement[];
}

const PLACEHOLDER: Readonly<Record<LiteralKind, string>> = {
  string: "'?'",
  estring: "E'?'",
  ustring: "U&'?'",
  nstring: "N'?'",
  bits: "B'?'",
  hexbits: "X'?'",
  int: '?i',
  float: '?f',
};

const INT32_MAX = 2_147_483_647;

const SPACE = 1;
const DIGIT = 2;
const IDENT_START = 4;
const IDENT = 8;
const OPERATOR = 16;

/** Character classes of ASCII codes, looked up once per character instead of compared. */
const ASCII = (() => {
  const table = new Uint8Array(128);
  // PostgreSQL's whitespace: space, \t, \n, \r, \f, \v. Nothing else (not U+00A0, which is an identifier character).
  for (const c of [32, 9, 10, 11, 12, 13]) table[c] = SPACE;
  for (let c = 48; c <= 57; c++) table[c] = DIGIT | IDENT;
  for (let c = 65; c <= 90; c++) table[c] = IDENT_START | IDENT;
  for (let c = 97; c <= 122; c++) table[c] = IDENT_START | IDENT;
  table[95] = IDENT_START | IDENT; // _
  table[36] = IDENT; // $ continues an identifier
  for (const c of '~!@#^&|`?+-*/%<>=') table[c.charCodeAt(0)] = OPERATOR;
  return table;
})();

function is(c: number, kind: number): boolean {
  // Everything from U+0080 up is an identifier character to PostgreSQL's lexer; NaN (past the end) is nothing.
  return c < 128 ? (ASCII[c]! & kind) !== 0 : c >= 128 && (kind & (IDENT_START | IDENT)) !== 0;
}

function isSpace(c: number): boolean {
  return is(c, SPACE);
}

function isDigit(c: number): boolean {
  return is(c, DIGIT);
}

function isIdentStart(c: number): boolean {
  return is(c, IDENT_START);
}

function isIdentChar(c: number): boolean {
  return is(c, IDENT);
}

/** Characters PostgreSQL's lexer reads as operator characters. */
function isOperatorChar(c: number): boolean {
  return is(c, OPERATOR);
}

class Scanner {
  readonly #sql: string;
  #at = 0;
  #key = '';
  /** The stretch of text copied into the key as it is, not yet appended (-1: none). */
  #runStart = -1;
  #runEnd = -1;
  /** Where the current gap (whitespace or comments) began. */
  #gapStart = -1;
  readonly #literals: ShapeLiteral[] = [];
  readonly #statements: ShapeStatement[] = [];
  #statementStart = -1;
  /** Whether whitespace or a comment separates the next token from the previous one. */
  #gap = false;
  /** The previous token was a string literal (a following one may continue it). */
  #afterString = false;

  constructor(sql: string) {
    this.#sql = sql;
  }

  scan(): SqlShape | undefined {
    const sql = this.#sql;
    while (this.#at < sql.length) {
      const c = sql.charCodeAt(this.#at);
      if (isSpace(c)) {
        this.#startGap();
        this.#at++;
        continue;
      }
      if (c === 45 && sql.charCodeAt(this.#at + 1) === 45) {
        this.#startGap();
        this.#lineComment();
        continue;
      }
      if (c === 47 && sql.charCodeAt(this.#at + 1) === 42) {
        this.#startGap();
        if (!this.#blockComment()) return undefined;
        continue;
      }
      if (!this.#token(c)) return undefined;
    }
    this.#endStatement(sql.length);
    this.#flush();
    return { key: this.#key, literals: this.#literals, statements: this.#statements };
  }

  #startGap(): void {
    if (!this.#gap) this.#gapStart = this.#at;
    this.#gap = true;
  }

  #flush(): void {
    if (this.#runStart < 0) return;
    this.#key += this.#sql.slice(this.#runStart, this.#runEnd);
    this.#runStart = -1;
    this.#runEnd = -1;
  }

  #lineComment(): void {
    const sql = this.#sql;
    while (this.#at < sql.length) {
      const c = sql.charCodeAt(this.#at);
      if (c === 10 || c === 13) break;
      this.#at++;
    }
    this.#gap = true;
  }

  /** Block comments nest in PostgreSQL. An unterminated one is a parse error: leave it to the parser. */
  #blockComment(): boolean {
    const sql = this.#sql;
    let depth = 0;
    while (this.#at < sql.length) {
      const c = sql.charCodeAt(this.#at);
      const next = sql.charCodeAt(this.#at + 1);
      if (c === 47 && next === 42) {
        depth++;
        this.#at += 2;
      } else if (c === 42 && next === 47) {
        depth--;
        this.#at += 2;
        if (depth === 0) {
          this.#gap = true;
          return true;
        }
      } else {
        this.#at++;
      }
    }
    return false;
  }

  /**
   * A token kept as written. Tokens next to each other, or one space apart,
   * are copied as one stretch of text: the key is built from few slices.
   */
  #verbatim(start: number, end: number): void {
    if (this.#statementStart < 0) this.#statementStart = start;
    const adjacent = this.#runEnd === start && !this.#gap;
    const oneSpace = this.#gap && this.#runEnd === start - 1 && this.#gapStart === start - 1 && this.#sql.charCodeAt(start - 1) === 32;
    if (adjacent || oneSpace) {
      this.#runEnd = end;
    } else {
      this.#separate();
      this.#runStart = start;
      this.#runEnd = end;
    }
    this.#gap = false;
    this.#afterString = false;
  }

  /**
   * Ends the current stretch; a gap becomes one space. One separator keeps
   * token boundaries (`a b` is not `ab`); a newline in it is not kept, so two
   * adjacent strings (which a newline would join) are refused instead.
   */
  #separate(): void {
    this.#flush();
    if (this.#gap && this.#key.length > 0) this.#key += ' ';
  }

  #literal(kind: LiteralKind, start: number, end: number): boolean {
    const isString = kind !== 'int' && kind !== 'float';
    // 'a' 'b' across a newline is one constant; on one line, an error. Either way, not for the cache.
    if (isString && this.#afterString) return false;
    this.#literals.push({ kind, start, end });
    if (this.#statementStart < 0) this.#statementStart = start;
    this.#separate();
    this.#key += PLACEHOLDER[kind];
    this.#gap = false;
    this.#afterString = isString;
    return true;
  }

  #endStatement(end: number): void {
    if (this.#statementStart >= 0) this.#statements.push({ start: this.#statementStart, end });
    this.#statementStart = -1;
  }

  #token(c: number): boolean {
    const sql = this.#sql;
    const start = this.#at;
    const next = sql.charCodeAt(start + 1);
    if (c === 59) {
      // The separator: kept in the key, and it ends the statement.
      this.#verbatim(start, start + 1);
      this.#endStatement(start);
      this.#at++;
      return true;
    }
    if (c === 39) return this.#quoted(start, start, 'string', false);
    if (c === 34) return this.#quotedIdentifier(start, start);
    if ((c === 69 || c === 101) && next === 39) return this.#quoted(start, start + 1, 'estring', true);
    if ((c === 78 || c === 110) && next === 39) return this.#quoted(start, start + 1, 'nstring', false);
    if ((c === 66 || c === 98) && next === 39) return this.#bitString(start, 'bits');
    if ((c === 88 || c === 120) && next === 39) return this.#bitString(start, 'hexbits');
    if ((c === 85 || c === 117) && next === 38) {
      const third = sql.charCodeAt(start + 2);
      if (third === 39) return this.#quoted(start, start + 2, 'ustring', true);
      if (third === 34) return this.#quotedIdentifier(start, start + 2);
    }
    if (isIdentStart(c)) {
      let end = start + 1;
      while (end < sql.length && isIdentChar(sql.charCodeAt(end))) end++;
      // U&'...' UESCAPE '!' (or U&"...") makes a literal decide how a string or a name reads: not for the cache.
      if (end - start === 7 && sql.slice(start, end).toLowerCase() === 'uescape') return false;
      this.#at = end;
      this.#verbatim(start, end);
      return true;
    }
    if (c === 36) return this.#dollar(start);
    if (isDigit(c) || (c === 46 && isDigit(next))) return this.#number(start);
    if (isOperatorChar(c)) {
      let end = start + 1;
      // Comment starts end an operator, as in PostgreSQL.
      while (end < sql.length && isOperatorChar(sql.charCodeAt(end))) {
        const d = sql.charCodeAt(end);
        const e = sql.charCodeAt(end + 1);
        if ((d === 45 && e === 45) || (d === 47 && e === 42)) break;
        end++;
      }
      this.#at = end;
      this.#verbatim(start, end);
      return true;
    }
    // Punctuation and anything else: one character, kept as it is.
    this.#at = start + 1;
    this.#verbatim(start, start + 1);
    return true;
  }

  /** '...' with '' for a quote. `noBackslash`: a backslash would be an escape (E'', U&''), which only the parser may judge. */
  #quoted(start: number, quote: number, kind: LiteralKind, noBackslash: boolean): boolean {
    const sql = this.#sql;
    let i = quote + 1;
    for (;;) {
      if (i >= sql.length) return false;
      const c = sql.charCodeAt(i);
      if (c === 92 && noBackslash) return false;
      if (c === 39) {
        if (sql.charCodeAt(i + 1) === 39) {
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
    this.#at = i + 1;
    return this.#literal(kind, start, i + 1);
  }

  /** "..." with "" for a quote: an identifier, kept exactly. */
  #quotedIdentifier(start: number, quote: number): boolean {
    const sql = this.#sql;
    let i = quote + 1;
    for (;;) {
      if (i >= sql.length) return false;
      if (sql.charCodeAt(i) === 34) {
        if (sql.charCodeAt(i + 1) === 34) {
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
    this.#at = i + 1;
    this.#verbatim(start, i + 1);
    return true;
  }

  /** B'0101' and X'1f': only well-formed ones, since a bad digit is a parse error. */
  #bitString(start: number, kind: 'bits' | 'hexbits'): boolean {
    const sql = this.#sql;
    let i = start + 2;
    for (;;) {
      if (i >= sql.length) return false;
      const c = sql.charCodeAt(i);
      if (c === 39) break;
      const ok = kind === 'bits' ? c === 48 || c === 49 : isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
      if (!ok) return false;
      i++;
    }
    this.#at = i + 1;
    return this.#literal(kind, start, i + 1);
  }

  /** $1 is a parameter (kept); $tag$...$tag$ is a string constant. */
  #dollar(start: number): boolean {
    const sql = this.#sql;
    let i = start + 1;
    if (isDigit(sql.charCodeAt(i))) {
      while (i < sql.length && isDigit(sql.charCodeAt(i))) i++;
      if (i < sql.length && isIdentChar(sql.charCodeAt(i))) return false;
      this.#at = i;
      this.#verbatim(start, i);
      return true;
    }
    while (i < sql.length && sql.charCodeAt(i) !== 36) {
      const c = sql.charCodeAt(i);
      if (!(i === start + 1 ? isIdentStart(c) : isIdentStart(c) || isDigit(c))) return false;
      i++;
    }
    if (i >= sql.length) return false;
    const tag = sql.slice(start, i + 1);
    const close = sql.indexOf(tag, i + 1);
    if (close < 0) return false;
    this.#at = close + tag.length;
    return this.#literal('string', start, this.#at);
  }

  /**
   * Plain decimal numbers only: digits, one point, an exponent. Anything
   * fancier (0x, underscores, trailing letters) is left to the parser.
   */
  #number(start: number): boolean {
    const sql = this.#sql;
    let i = start;
    // Significant digits: leading zeros do not make an integer too large for 32 bits.
    let digits = 0;
    while (isDigit(sql.charCodeAt(i))) {
      if (digits > 0 || sql.charCodeAt(i) !== 48) digits++;
      i++;
    }
    let float = false;
    if (sql.charCodeAt(i) === 46) {
      // `1..2` is not a number PostgreSQL reads as one.
      if (sql.charCodeAt(i + 1) === 46) return false;
      float = true;
      i++;
      while (isDigit(sql.charCodeAt(i))) i++;
    }
    const e = sql.charCodeAt(i);
    if (e === 101 || e === 69) {
      float = true;
      i++;
      const sign = sql.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      if (!isDigit(sql.charCodeAt(i))) return false;
      while (isDigit(sql.charCodeAt(i))) i++;
    }
    if (i < sql.length && (isIdentChar(sql.charCodeAt(i)) || sql.charCodeAt(i) === 46)) return false;
    // An integer too large for 32 bits becomes a Float node, as in PostgreSQL.
    if (!float && (digits > 10 || Number(sql.slice(start, i)) > INT32_MAX)) float = true;
    this.#at = i;
    return this.#literal(float ? 'float' : 'int', start, i);
  }
}

/** The shape of `sql`, or undefined when the scanner cannot vouch for it (the caller then skips the cache). */
export function sqlShape(sql: string): SqlShape | undefined {
  return new Scanner(sql).scan();
}
