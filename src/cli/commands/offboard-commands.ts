import type { Command } from 'commander';
import type { OffboardingReport } from '../../offboarding/offboarding-types.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { formatInstant } from '../output.ts';

export function registerOffboardCommands(program: Command, ctx: CliContext): void {
  program
    .command('offboard <email>')
    .description('Offboard a contractor now: revoke every token, grant, pending request and invite, end live sessions, and report (admin)')
    .option('--reason <text>', 'why (shown to the contractor’s clients and recorded)')
    .option('--json', 'print the report as JSON')
    .action(async (email: string, flags: { reason?: string; json?: boolean }, command: Command) => {
      const report = await clientFor(ctx, command).post<OffboardingReport>(
        `/v1/contractors/${encodeURIComponent(email)}/offboard`,
        flags.reason === undefined ? {} : { reason: flags.reason },
      );
      if (flags.json === true) return printJson(ctx, report);
      ctx.out(formatOffboardingReport(report));
    });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Label and lines, the lines indented under the label's column. */
function section(rows: readonly [string, readonly string[]][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.flatMap(([label, lines]) => {
    const shown = lines.length === 0 ? ['none'] : lines;
    return shown.map((line, i) => `  ${(i === 0 ? label : '').padEnd(width)}${line}`);
  });
}

/** The report as a person reads it in a terminal: who, what they had, what they did, what was taken away. */
export function formatOffboardingReport(report: OffboardingReport): string {
  const { contractor: c, had, did, revoked } = report;
  const who = [c.name, c.company].filter((part) => part !== '').join(', ');
  const lines: string[] = [];
  if (report.alreadyOffboarded) {
    lines.push(`${report.email} was already offboarded at ${formatInstant(report.offboardedAt)}; nothing more was revoked.`);
    if (revoked.sessionsEnded.length > 0) lines.push(`Ended ${plural(revoked.sessionsEnded.length, 'session')} still open on this server.`);
    return lines.join('\n');
  }
  const cause = report.cause === 'engagement_ended' ? 'at the end of the engagement' : report.cause === 'policy_removed' ? `by a policy apply of ${report.by}` : `by ${report.by}`;
  lines.push(
    `Offboarded ${report.email}${who === '' ? '' : ` (${who})`} ${cause}: ${report.reason}.`,
    `Engagement: ${formatInstant(c.createdAt)} to ${formatInstant(c.untilAt)}; sponsor ${c.sponsor}; from ${c.source === 'files' ? 'the policy files' : 'an invite'}.`,
    '',
    'What they had',
    ...section([
      ['roles', had.roles.length === 0 ? [] : [had.roles.join(', ')]],
      ['access', had.access.map((a) => `${a.resource}: ${a.actions.join(', ')} (${a.via.join(', ')})`)],
      ['tokens', had.tokens.map((t) => `${t.id}${t.label === null ? '' : ` (${t.label})`}, expires ${formatInstant(t.expiresAt)}, last used ${formatInstant(t.lastUsedAt)}`)],
      ['grants', had.grants.map((g) => `${g.id}: ${g.actions.join(', ')} on ${g.resource} until ${formatInstant(g.expiresAt)}`)],
      ['requests', had.pendingRequests.map((r) => `${r.id}: ${r.actions.join(', ')} on ${r.resource} (pending since ${formatInstant(r.createdAt)})`)],
      ['invites', had.invites.map((i) => `${i.id}: ${i.roles.join(', ')} from ${i.createdBy}, unused`)],
    ]),
    '',
    'What they did',
    ...section([
      [
        'sessions',
        did.sessions.count === 0
          ? []
          : [
              `${did.sessions.count} from ${formatInstant(did.sessions.firstAt)} to ${formatInstant(did.sessions.lastAt)}, ${plural(did.sessions.statements, 'statement')}, on ${did.sessions.resources.join(', ')}`,
            ],
      ],
      ['audit events', Object.entries(did.auditCounts).map(([code, count]) => `${code} ${count}`)],
      ['last statements', did.lastStatements.map((s) => `${formatInstant(s.ts)} ${s.resource ?? '-'} ${s.code === 'STATEMENT_DENIED' ? 'denied ' : ''}${s.text.replace(/\s+/g, ' ')}`)],
    ]),
    '',
    'Revoked',
    ...section([
      ['tokens', revoked.tokens],
      ['grants', revoked.grants],
      ['requests', revoked.requests],
      ['invites', revoked.invites],
      [
        'sessions',
        [
          ...(revoked.sessionsEnded.length > 0 ? [`${plural(revoked.sessionsEnded.length, 'session')} ended on this server: ${revoked.sessionsEnded.join(', ')}`] : []),
          ...(revoked.sessionsKillRequested.length > 0 ? [`${plural(revoked.sessionsKillRequested.length, 'session')} on other nodes told to end: ${revoked.sessionsKillRequested.join(', ')}`] : []),
        ],
      ],
    ]),
  );
  return lines.join('\n');
}
