import type { Command } from 'commander';
import type { ContractorRecord } from '../../policy/policy-types.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { formatInstant, formatTable } from '../output.ts';

export function registerContractorCommands(program: Command, ctx: CliContext): void {
  program
    .command('contractors')
    .description('List contractors with their roles, sponsor, source and engagement end')
    .option('--all', 'include offboarded contractors')
    .option('--json', 'print as JSON')
    .action(async (flags: { all?: boolean; json?: boolean }, command: Command) => {
      const { contractors } = await clientFor(ctx, command).get<{ contractors: ContractorRecord[] }>('/v1/contractors', {
        status: flags.all === true ? 'all' : 'active',
      });
      if (flags.json === true) return printJson(ctx, contractors);
      if (contractors.length === 0) return ctx.out('No contractors.');
      ctx.out(
        formatTable(contractors, [
          { header: 'email', value: (c) => c.email },
          { header: 'name', value: (c) => c.name },
          { header: 'company', value: (c) => c.company },
          { header: 'sponsor', value: (c) => c.sponsor },
          { header: 'roles', value: (c) => c.roles.join(',') },
          { header: 'until', value: (c) => formatInstant(c.untilAt) },
          { header: 'source', value: (c) => c.source },
          { header: 'status', value: (c) => c.status },
        ]),
      );
    });

  program
    .command('whoami')
    .description('Show who the configured token belongs to')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const me = await clientFor(ctx, command).get<{ email: string; kind: string; apiRoles: string[]; tokenExpiresAt: number | null }>('/v1/whoami');
      if (flags.json === true) return printJson(ctx, me);
      ctx.out(`${me.email} (${me.kind}; roles: ${me.apiRoles.join(', ')}; token expires ${formatInstant(me.tokenExpiresAt)})`);
    });
}
