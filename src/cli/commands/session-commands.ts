import type { Command } from 'commander';
import type { SessionView } from '../../sessions/session-types.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { formatInstant, formatTable } from '../output.ts';

export function registerSessionCommands(program: Command, ctx: CliContext): void {
  program
    .command('sessions')
    .description('Sessions through the gateway (contractors see their own)')
    .option('--live', 'only sessions still open')
    .option('--contractor <email>', 'only this contractor’s sessions')
    .option('--limit <n>', 'how many (newest first)', '200')
    .option('--json', 'print as JSON')
    .action(async (flags: { live?: boolean; contractor?: string; limit: string; json?: boolean }, command: Command) => {
      const { sessions } = await clientFor(ctx, command).get<{ sessions: SessionView[] }>('/v1/sessions', {
        live: flags.live === true,
        contractor: flags.contractor,
        limit: flags.limit,
      });
      if (flags.json === true) return printJson(ctx, sessions);
      if (sessions.length === 0) return ctx.out(flags.live === true ? 'No live sessions.' : 'No sessions.');
      ctx.out(
        formatTable(sessions, [
          { header: 'id', value: (s) => s.id },
          { header: 'contractor', value: (s) => s.contractor },
          { header: 'resource', value: (s) => s.resource },
          { header: 'from', value: (s) => `${s.clientAddress}${s.tls ? ' (tls)' : ''}` },
          { header: 'started', value: (s) => formatInstant(s.startedAt) },
          { header: 'ends', value: (s) => formatInstant(s.endedAt ?? s.expiresAt) },
          { header: 'state', value: (s) => s.endReason ?? 'live' },
          { header: 'statements', value: (s) => String(s.statements) },
        ]),
      );
    });

  program
    .command('kill <session-id>')
    .description('End a live session now: the client is told why and both connections close (admin)')
    .option('--reason <text>', 'why (shown to the contractor and recorded)')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { reason?: string; json?: boolean }, command: Command) => {
      const session = await clientFor(ctx, command).post<SessionView>(`/v1/sessions/${encodeURIComponent(id)}/kill`, flags.reason === undefined ? {} : { reason: flags.reason });
      if (flags.json === true) return printJson(ctx, session);
      ctx.out(session.endedAt === null ? `Ending session ${id} of ${session.contractor} on ${session.resource}.` : `Session ${id} had already ended (${session.endReason ?? 'unknown'}).`);
    });
}
