import type { Command } from 'commander';
import type { ExplainedStatement, ExplainResult } from '../../api/routes/explain-routes.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { EXIT } from '../exit-codes.ts';

/**
 * `stint explain "SQL" --resource R [--as EMAIL]`: what the gateway would do
 * with each statement, before anyone runs it. Exit 0 when every statement
 * would be allowed, 3 when any would be refused, 2 on bad input.
 */
export function registerExplainCommands(program: Command, ctx: CliContext): void {
  program
    .command('explain <sql>')
    .description('Show how the gateway would classify and decide each statement of some SQL on a resource; nothing runs (exit 3 if any would be refused)')
    .requiredOption('--resource <name>', 'the resource the SQL would run on')
    .option('--as <email>', 'the contractor to explain for (staff only; contractors explain for themselves)')
    .option('--json', 'print as JSON')
    .action(async (sql: string, flags: { resource: string; as?: string; json?: boolean }, command: Command) => {
      const result = await clientFor(ctx, command).post<ExplainResult>('/v1/explain', {
        sql,
        resource: flags.resource,
        ...(flags.as === undefined ? {} : { as: flags.as }),
      });
      if (!result.allowed) ctx.exitCode = EXIT.FINDING;
      if (flags.json === true) return printJson(ctx, result);
      ctx.out(formatExplain(result));
    });
}

export function formatExplain(result: ExplainResult): string {
  const refused = result.statements.filter((statement) => !statement.decision.allow).length;
  const count = result.statements.length;
  const head =
    refused === 0
      ? `${count === 1 ? 'The statement' : `All ${count} statements`} would be allowed for ${result.as} on ${result.resource}.`
      : `${refused} of ${count} statement${count === 1 ? '' : 's'} would be refused for ${result.as} on ${result.resource}.`;
  const lines = [head];
  result.statements.forEach((statement, index) => lines.push('', ...statementLines(statement, index + 1)));
  if (result.masks.length > 0) lines.push('', `Masked for ${result.as} on ${result.resource}: ${result.masks.join(', ')}`);
  return lines.join('\n');
}

function statementLines(statement: ExplainedStatement, number: number): string[] {
  const { decision } = statement;
  const lines = [`${number}. ${oneLine(statement.text)}`];
  const needs = statement.action !== undefined && statement.action !== statement.class ? ` (needs ${statement.action})` : '';
  lines.push(`   class:     ${statement.class}${needs}, ${statement.command}`);
  if (statement.tablesRead.length > 0) lines.push(`   reads:     ${statement.tablesRead.join(', ')}`);
  if (statement.tablesWritten.length > 0) lines.push(`   writes:    ${statement.tablesWritten.join(', ')}`);
  if (statement.functions.length > 0) lines.push(`   functions: ${statement.functions.join(', ')}`);
  for (const reason of statement.unsafeReasons) lines.push(`   unsafe:    ${reason}`);
  if (statement.maskedColumns.length > 0) lines.push(`   masked:    ${statement.maskedColumns.join(', ')}`);
  const by = decision.rule === undefined ? '' : ` by ${decision.rule}`;
  lines.push(`   decision:  ${decision.allow ? 'allowed' : 'REFUSED'} (${decision.reason}${by})`);
  lines.push(`   ${decision.allow ? 'why' : 'message'}:${decision.allow ? '       ' : '   '}${decision.message}`);
  if (decision.detail !== undefined) lines.push(`   detail:    ${decision.detail}`);
  // Many refusals repeat the decision's sentence as the hint; print it once.
  if (decision.hint !== undefined && decision.detail?.includes(decision.hint) !== true) lines.push(`   hint:      ${decision.hint}`);
  return lines;
}

/** Long or multi-line statements are shown on one line, cut at 200 characters. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
