/**
 * The access report as a terminal table or as CSV for a spreadsheet. JSON is
 * the report object itself.
 */
import type { AccessReport, AccessReportRow } from './access-report.ts';

export const REPORT_COLUMNS: readonly { readonly header: string; readonly value: (row: AccessReportRow) => string }[] = [
  { header: 'contractor', value: (row) => row.contractor },
  { header: 'company', value: (row) => row.company },
  { header: 'sponsor', value: (row) => row.sponsor },
  { header: 'resource', value: (row) => row.resource },
  { header: 'actions', value: (row) => row.actions.join(' ') },
  { header: 'why', value: (row) => row.via },
  { header: 'until', value: (row) => instant(row.until) },
  { header: 'last used', value: (row) => (row.lastUsedAt === null ? 'never' : instant(row.lastUsedAt)) },
  { header: 'masks', value: (row) => row.masks },
  { header: 'guardrails', value: (row) => row.guardrails },
  { header: 'flags', value: (row) => row.flags.join(' ') },
];

function instant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** RFC 4180 CSV. A cell a spreadsheet would run as a formula (=, +, -, @) is prefixed with a quote mark. */
export function accessReportCsv(report: AccessReport): string {
  const cell = (text: string): string => {
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const lines = [REPORT_COLUMNS.map((column) => cell(column.header)).join(',')];
  for (const row of report.rows) lines.push(REPORT_COLUMNS.map((column) => cell(column.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The sentence under the table: what the flags mean, with the thresholds used. */
export function accessReportLegend(report: AccessReport): string {
  const flagged = (flag: string): number => report.rows.filter((row) => row.flags.some((f) => f === flag)).length;
  return [
    `${report.rows.length} access line(s) as of ${instant(report.generatedAt)}.`,
    `unused: not used for ${report.unusedDays} day(s) or more (${flagged('unused')}); engagement-ending: the engagement ends within ${report.endingDays} day(s) (${flagged('engagement-ending')}).`,
  ].join('\n');
}
