import type { Command } from 'commander';
import type { RevokeResult } from '../../requests/grant-service.ts';
import type { AccessRequestView, ApproveResult, GrantView } from '../../requests/request-types.ts';
import { formatDuration } from '../../time/duration.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { formatInstant, formatTable } from '../output.ts';

/** `--action write --action ddl` and `--action write,ddl` both work. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((part) => part.trim()).filter((part) => part !== '')];
}

function approvalsText(request: AccessRequestView): string {
  return request.minApprovals === null ? `${request.approvals.length}/?` : `${request.approvals.length}/${request.minApprovals}`;
}

function describe(request: AccessRequestView): string {
  const what = `${request.actions.join(', ')} on ${request.resource} for ${formatDuration(request.durationMs)}`;
  switch (request.status) {
    case 'pending': {
      const who = request.approvers.length === 0 ? 'nobody (no rule covers it any more)' : request.approvers.join(', ');
      return `Request ${request.id} (${what}) is pending: ${approvalsText(request)} approvals; approvers: ${who}. It expires at ${formatInstant(request.expiresAt)} unless approved.`;
    }
    case 'approved':
      return `Request ${request.id} (${what}) was approved by ${request.approvals.map((a) => a.approver).join(', ')}; grant ${request.grantId ?? '-'}.`;
    case 'denied':
      return `Request ${request.id} (${what}) was denied by ${request.decidedBy ?? '-'}: ${request.decisionReason ?? ''}`;
    case 'cancelled':
      return `Request ${request.id} (${what}) was cancelled.`;
    case 'expired':
      return `Request ${request.id} (${what}) expired at ${formatInstant(request.expiresAt)} without enough approvals.`;
  }
}

export function registerRequestCommands(program: Command, ctx: CliContext): void {
  program
    .command('request <resource>')
    .description('Ask for more access to a resource for a while; approvers named by the policy decide (contractors)')
    .requiredOption('--action <action>', 'an action to request: read, write, ddl, admin (repeat, or separate with commas)', collect, [])
    .requiredOption('--for <duration>', 'how long, e.g. 30m or 2h (at most the approval rule’s max_duration)')
    .option('--tables <tables>', 'tables you intend to touch, for the approvers (repeat, or separate with commas)', collect, [])
    .option('--reason <text>', 'why, e.g. a ticket reference (some rules require one)')
    .option('--json', 'print as JSON')
    .action(async (resource: string, flags: { action: string[]; for: string; tables: string[]; reason?: string; json?: boolean }, command: Command) => {
      const request = await clientFor(ctx, command).post<AccessRequestView>('/v1/requests', {
        resource,
        actions: flags.action,
        duration: flags.for,
        ...(flags.tables.length === 0 ? {} : { tables: flags.tables }),
        ...(flags.reason === undefined ? {} : { reason: flags.reason }),
      });
      if (flags.json === true) return printJson(ctx, request);
      ctx.out(describe(request));
    });

  program
    .command('requests')
    .description('Access requests: contractors see their own, approvers those they may approve, admins and auditors all')
    .option('--pending', 'only requests still waiting for approval')
    .option('--limit <n>', 'how many (newest first)', '200')
    .option('--json', 'print as JSON')
    .action(async (flags: { pending?: boolean; limit: string; json?: boolean }, command: Command) => {
      const { requests } = await clientFor(ctx, command).get<{ requests: AccessRequestView[] }>('/v1/requests', { pending: flags.pending === true, limit: flags.limit });
      if (flags.json === true) return printJson(ctx, requests);
      if (requests.length === 0) return ctx.out(flags.pending === true ? 'No pending requests.' : 'No requests.');
      ctx.out(
        formatTable(requests, [
          { header: 'id', value: (r) => r.id },
          { header: 'requester', value: (r) => r.requester },
          { header: 'resource', value: (r) => r.resource },
          { header: 'actions', value: (r) => r.actions.join(',') },
          { header: 'for', value: (r) => formatDuration(r.durationMs) },
          { header: 'status', value: (r) => r.status },
          { header: 'approvals', value: approvalsText },
          { header: 'created', value: (r) => formatInstant(r.createdAt) },
          { header: 'reason', value: (r) => r.reason ?? '' },
        ]),
      );
    });

  program
    .command('approve <id>')
    .description('Approve a request (eligible approvers; never your own); enough approvals make a grant')
    .option('--for <duration>', 'grant less than was asked for (can only shorten)')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { for?: string; json?: boolean }, command: Command) => {
      const result = await clientFor(ctx, command).post<ApproveResult>(`/v1/requests/${encodeURIComponent(id)}/approve`, flags.for === undefined ? {} : { for: flags.for });
      if (flags.json === true) return printJson(ctx, result);
      if (result.grant === null) return ctx.out(`Approval recorded: ${describe(result.request)}`);
      const grant = result.grant;
      ctx.out(`Approved. Grant ${grant.id}: ${grant.actions.join(', ')} on ${grant.resource} for ${grant.email} until ${formatInstant(grant.expiresAt)}.`);
    });

  program
    .command('deny <id>')
    .description('Deny a request, with a reason the requester reads')
    .requiredOption('--reason <text>', 'why')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { reason: string; json?: boolean }, command: Command) => {
      const request = await clientFor(ctx, command).post<AccessRequestView>(`/v1/requests/${encodeURIComponent(id)}/deny`, { reason: flags.reason });
      if (flags.json === true) return printJson(ctx, request);
      ctx.out(describe(request));
    });

  program
    .command('cancel <id>')
    .description('Withdraw your own pending request')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { json?: boolean }, command: Command) => {
      const request = await clientFor(ctx, command).post<AccessRequestView>(`/v1/requests/${encodeURIComponent(id)}/cancel`, {});
      if (flags.json === true) return printJson(ctx, request);
      ctx.out(describe(request));
    });

  program
    .command('grants')
    .description('Grants from approved requests (contractors see their own)')
    .option('--all', 'include expired and revoked grants')
    .option('--for <email>', 'only this contractor’s grants (staff)')
    .option('--json', 'print as JSON')
    .action(async (flags: { all?: boolean; for?: string; json?: boolean }, command: Command) => {
      const { grants } = await clientFor(ctx, command).get<{ grants: GrantView[] }>('/v1/grants', { all: flags.all === true, for: flags.for });
      if (flags.json === true) return printJson(ctx, grants);
      if (grants.length === 0) return ctx.out(flags.all === true ? 'No grants.' : 'No active grants.');
      ctx.out(
        formatTable(grants, [
          { header: 'id', value: (g) => g.id },
          { header: 'contractor', value: (g) => g.email },
          { header: 'resource', value: (g) => g.resource },
          { header: 'actions', value: (g) => g.actions.join(',') },
          { header: 'from', value: (g) => formatInstant(g.startsAt) },
          { header: 'until', value: (g) => formatInstant(g.revokedAt ?? g.expiresAt) },
          { header: 'status', value: (g) => g.status },
          { header: 'request', value: (g) => g.requestId ?? '-' },
        ]),
      );
    });

  const grant = program.command('grant').description('Manage grants from approved requests');
  grant
    .command('revoke <id>')
    .description('End a grant now; live sessions lose it on their next statement, or end if it was all they had')
    .option('--reason <text>', 'why (recorded, and sent to subscribers)')
    .option('--json', 'print as JSON')
    .action(async (id: string, flags: { reason?: string; json?: boolean }, command: Command) => {
      const result = await clientFor(ctx, command).post<RevokeResult>(`/v1/grants/${encodeURIComponent(id)}/revoke`, flags.reason === undefined ? {} : { reason: flags.reason });
      if (flags.json === true) return printJson(ctx, result);
      ctx.out(result.alreadyEnded ? `Grant ${id} had already ended (${result.status}).` : `Revoked grant ${id} (${result.actions.join(', ')} on ${result.resource} for ${result.email}).`);
    });
}
