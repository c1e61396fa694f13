import type { Command } from 'commander';
import { StintError } from '../../errors/stint-error.ts';
import type { AccessReport } from '../../reports/access-report.ts';
import { accessReportCsv, accessReportLegend, REPORT_COLUMNS } from '../../reports/access-report-format.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { formatTable } from '../output.ts';

const FORMATS = ['table', 'csv', 'json'] as const;

function days(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new StintError('STINT_ERR_USAGE', `${flag} takes a whole number of days, e.g. ${flag} 30.`);
  return Number(text);
}

export function registerReportCommands(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('Reports for auditors and sponsors');
  report
    .command('access')
    .description('Who can reach what now: actions, why (role or request), until when, last use; flags unused access and ending engagements')
    .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'table')
    .option('--resource <name>', 'only this resource')
    .option('--contractor <email>', 'only this contractor')
    .option('--unused-days <n>', 'flag access unused for this many days (default 30)')
    .option('--ending-days <n>', 'flag engagements ending within this many days (default 14)')
    .action(async (flags: { format: string; resource?: string; contractor?: string; unusedDays?: string; endingDays?: string }, command: Command) => {
      const format = FORMATS.find((candidate) => candidate === flags.format);
      if (format === undefined) throw new StintError('STINT_ERR_USAGE', `--format must be one of ${FORMATS.join(', ')}, not "${flags.format}".`);
      const result = await clientFor(ctx, command).get<AccessReport>('/v1/reports/access', {
        resource: flags.resource,
        contractor: flags.contractor,
        unusedDays: days(flags.unusedDays, '--unused-days'),
        endingDays: days(flags.endingDays, '--ending-days'),
      });
      switch (format) {
        case 'json':
          return printJson(ctx, result);
        case 'csv':
          return ctx.out(accessReportCsv(result));
        case 'table':
          if (result.rows.length === 0) return ctx.out('Nobody can reach anything matching these filters.');
          return ctx.out(`${formatTable(result.rows, REPORT_COLUMNS)}\n\n${accessReportLegend(result)}`);
      }
    });
}
