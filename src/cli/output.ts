import type { ErrorDetail } from '../errors/stint-error.ts';
import { StintError } from '../errors/stint-error.ts';

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
}

/** A plain, aligned text table; `--json` output bypasses it. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] ?? '').length)));
  const render = (line: readonly string[]): string =>
    line
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(columns.map((c) => c.header.toUpperCase())), ...cells.map(render)].join('\n');
}

export function formatInstant(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function formatDetail(detail: ErrorDetail): string {
  const place = [detail.file, detail.line === undefined ? undefined : String(detail.line), detail.column === undefined ? undefined : String(detail.column)]
    .filter((part) => part !== undefined)
    .join(':');
  const head = [place, detail.field].filter((part) => part !== undefined && part !== '').join(' ');
  const fix = detail.fix === undefined ? '' : `\n      fix: ${detail.fix}`;
  return `  - ${head === '' ? '' : `${head}: `}${detail.message}${fix}`;
}

/** How an error looks in a terminal: what happened, where, what to do, and the code to search the docs for. */
export function formatError(error: unknown): string {
  if (!(error instanceof StintError)) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
  const lines = [`error: ${error.message}`];
  for (const detail of error.details) lines.push(formatDetail(detail));
  lines.push(`  fix: ${error.fix}`, `  (${error.code}, see docs/errors.md)`);
  return lines.join('\n');
}
