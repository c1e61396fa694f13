/**
 * The query of `COPY (query) TO ...` as text, for the gateway to ask the
 * server (on a connection of its own) which table column each output column
 * comes from. The parse tree has no end position for a nested query, so the
 * text is cut at the parenthesis matching the one after COPY, found with the
 * parser's own scanner: parentheses inside strings, quoted identifiers and
 * comments are not tokens and cannot mislead it.
 */
import { scanSync } from 'libpg-query';

interface ScannedToken {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function copyQueryText(sql: string): string | undefined {
  let tokens: readonly ScannedToken[];
  try {
    tokens = (scanSync(sql) as { tokens: ScannedToken[] }).tokens;
  } catch {
    return undefined;
  }
  if (tokens[0]?.text.toUpperCase() !== 'COPY' || tokens[1]?.text !== '(') return undefined;
  const open = tokens[1];
  let depth = 0;
  for (const token of tokens.slice(1)) {
    if (token.text === '(') depth++;
    else if (token.text === ')' && --depth === 0) {
      // The scanner counts bytes of the UTF-8 text.
      return Buffer.from(sql).subarray(open.end, token.start).toString('utf8');
    }
  }
  return undefined;
}
