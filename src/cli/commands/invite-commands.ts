import type { Command } from 'commander';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { saveCredentials } from '../credentials-file.ts';
import { formatInstant } from '../output.ts';

interface InviteCreated {
  id: string;
  code: string;
  url: string;
  email: string;
  roles: string[];
  untilAt: number;
  expiresAt: number;
}

interface InviteAccepted {
  email: string;
  token: string;
  tokenId: string;
  expiresAt: number | null;
  untilAt: number;
  roles: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerInviteCommands(program: Command, ctx: CliContext): void {
  program
    .command('invite <email>')
    .description('Invite a contractor: prints a single-use code and link (admin)')
    .requiredOption('--role <role>', 'role to give (repeat for several)', collect)
    .option('--until <date>', 'engagement end: YYYY-MM-DD (through that day, UTC) or an ISO timestamp')
    .option('--json', 'print the invite as JSON')
    .action(async (email: string, flags: { role: string[]; until?: string; json?: boolean }, command: Command) => {
      const invite = await clientFor(ctx, command).post<InviteCreated>('/v1/invites', {
        email,
        roles: flags.role,
        ...(flags.until === undefined ? {} : { until: flags.until }),
      });
      if (flags.json === true) return printJson(ctx, invite);
      ctx.out(
        [
          `Invited ${invite.email} as ${invite.roles.join(', ')} (engagement ends ${formatInstant(invite.untilAt)}).`,
          `Code: ${invite.code}`,
          `Link: ${invite.url}`,
          `Single use; expires ${formatInstant(invite.expiresAt)}. The contractor runs: stint accept ${invite.code}`,
        ].join('\n'),
      );
    });

  program
    .command('accept <code>')
    .description('Exchange an invite code for your access token and save it for later commands')
    .option('--json', 'print {"token": ...} as JSON')
    .option('--no-save', 'do not save the token for later CLI calls')
    .action(async (code: string, flags: { json?: boolean; save: boolean }, command: Command) => {
      const client = clientFor(ctx, command);
      const accepted = await client.post<InviteAccepted>('/v1/invites/accept', { code }, { auth: false });
      const savedTo = flags.save ? saveCredentials({ url: client.url, token: accepted.token, email: accepted.email, expiresAt: accepted.expiresAt }, ctx.env) : null;
      if (flags.json === true) return printJson(ctx, { ...accepted, savedTo });
      ctx.out(
        [
          `Welcome, ${accepted.email}. Roles: ${accepted.roles.join(', ')}; engagement ends ${formatInstant(accepted.untilAt)}.`,
          `Token (shown once): ${accepted.token}`,
          `Token expires ${formatInstant(accepted.expiresAt)}.`,
          savedTo === null ? 'Not saved: set STINT_TOKEN to use it with the CLI.' : `Saved to ${savedTo} for later stint commands.`,
        ].join('\n'),
      );
    });
}
