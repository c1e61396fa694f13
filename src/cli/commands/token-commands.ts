import type { Command } from 'commander';
import { StintError } from '../../errors/stint-error.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { formatInstant, formatTable } from '../output.ts';

interface TokenCreated {
  id: string;
  token: string;
  subject: string;
  kind: string;
  expiresAt: number | null;
}

interface TokenInfo {
  id: string;
  subject: string;
  subjectKind: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  label: string | null;
}

export function registerTokenCommands(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('Issue, list and revoke access tokens (admin)');

  token
    .command('create')
    .description('Issue a token for a contractor or staff member; never outlives their engagement')
    .requiredOption('--for <email>', 'contractor or staff email')
    .option('--ttl <duration>', 'lifetime, e.g. 8h or 30d (default: the policy token_ttl)')
    .option('--label <text>', 'a note to recognise the token by')
    .option('--json', 'print the token as JSON')
    .action(async (flags: { for: string; ttl?: string; label?: string; json?: boolean }, command: Command) => {
      const created = await clientFor(ctx, command).post<TokenCreated>('/v1/tokens', {
        for: flags.for,
        ...(flags.ttl === undefined ? {} : { ttl: flags.ttl }),
        ...(flags.label === undefined ? {} : { label: flags.label }),
      });
      if (flags.json === true) return printJson(ctx, created);
      ctx.out(`Token ${created.id} for ${created.subject} (${created.kind}), expires ${formatInstant(created.expiresAt)}:\n${created.token}\nIt is shown once; only its hash is stored.`);
    });

  token
    .command('revoke [id]')
    .description('Revoke one token by id, or every token of a person with --for')
    .option('--for <email>', 'revoke every token of this person')
    .option('--reason <text>', 'why (recorded in the audit log)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string | undefined, flags: { for?: string; reason?: string; json?: boolean }, command: Command) => {
      const client = clientFor(ctx, command);
      const reason = flags.reason === undefined ? {} : { reason: flags.reason };
      if ((id === undefined) === (flags.for === undefined)) {
        throw new StintError('STINT_ERR_USAGE', 'Give either a token id or --for EMAIL (not both).');
      }
      const result =
        id !== undefined
          ? await client.post<{ alreadyRevoked?: boolean }>(`/v1/tokens/${encodeURIComponent(id)}/revoke`, reason)
          : await client.post<{ revoked: number }>('/v1/tokens/revoke-all', { for: flags.for, ...reason });
      if (flags.json === true) return printJson(ctx, result);
      if ('revoked' in result) ctx.out(`Revoked ${result.revoked} token(s) of ${flags.for ?? ''}.`);
      else ctx.out(result.alreadyRevoked === true ? `Token ${id ?? ''} was already revoked.` : `Revoked token ${id ?? ''}.`);
    });

  token
    .command('list')
    .description('List tokens (values are never shown)')
    .option('--for <email>', 'only this person’s tokens')
    .option('--all', 'include expired and revoked tokens')
    .option('--json', 'print as JSON')
    .action(async (flags: { for?: string; all?: boolean; json?: boolean }, command: Command) => {
      const { tokens } = await clientFor(ctx, command).get<{ tokens: TokenInfo[] }>('/v1/tokens', { for: flags.for, all: flags.all === true });
      if (flags.json === true) return printJson(ctx, tokens);
      if (tokens.length === 0) return ctx.out('No tokens.');
      ctx.out(
        formatTable(tokens, [
          { header: 'id', value: (t) => t.id },
          { header: 'subject', value: (t) => t.subject },
          { header: 'kind', value: (t) => t.subjectKind },
          { header: 'expires', value: (t) => formatInstant(t.expiresAt) },
          { header: 'revoked', value: (t) => formatInstant(t.revokedAt) },
          { header: 'last used', value: (t) => formatInstant(t.lastUsedAt) },
          { header: 'label', value: (t) => t.label ?? '' },
        ]),
      );
    });
}
