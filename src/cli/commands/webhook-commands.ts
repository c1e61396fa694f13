import type { Command } from 'commander';
import type { DeliveryView } from '../../notify/webhook-deliveries.ts';
import type { QueuedDelivery } from '../../notify/webhook-service.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { formatInstant, formatTable } from '../output.ts';

export function registerWebhookCommands(program: Command, ctx: CliContext): void {
  const webhooks = program.command('webhooks').description('Outgoing webhooks: send a test event, list deliveries');

  webhooks
    .command('test [name]')
    .description('Queue a test event for one webhook, or every webhook, through the normal delivery path (admin)')
    .option('--json', 'print as JSON')
    .action(async (name: string | undefined, flags: { json?: boolean }, command: Command) => {
      const { queued } = await clientFor(ctx, command).post<{ queued: QueuedDelivery[] }>('/v1/webhooks/test', name === undefined ? {} : { name });
      if (flags.json === true) return printJson(ctx, queued);
      for (const q of queued) ctx.out(`Queued a test event for webhook ${q.webhook} (delivery ${q.delivery}).`);
      ctx.out('See how it went with `stint webhooks deliveries`.');
    });

  webhooks
    .command('deliveries')
    .description('Recent deliveries, newest first: status, attempts and the last error (admin, auditor)')
    .option('--failed', 'only deliveries that were given up')
    .option('--webhook <name>', 'only this webhook')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print as JSON')
    .action(async (flags: { failed?: boolean; webhook?: string; limit: string; json?: boolean }, command: Command) => {
      const { deliveries } = await clientFor(ctx, command).get<{ deliveries: DeliveryView[] }>('/v1/webhooks/deliveries', {
        failed: flags.failed === true,
        webhook: flags.webhook,
        limit: flags.limit,
      });
      if (flags.json === true) return printJson(ctx, deliveries);
      if (deliveries.length === 0) return ctx.out(flags.failed === true ? 'No failed deliveries.' : 'No deliveries.');
      ctx.out(
        formatTable(deliveries, [
          { header: 'id', value: (d) => d.id },
          { header: 'webhook', value: (d) => d.webhook },
          { header: 'event', value: (d) => d.event },
          { header: 'status', value: (d) => d.status },
          { header: 'attempts', value: (d) => String(d.attempts) },
          { header: 'queued', value: (d) => formatInstant(d.createdAt) },
          { header: 'next / done', value: (d) => formatInstant(d.deliveredAt ?? d.failedAt ?? d.nextAttemptAt) },
          { header: 'last result', value: (d) => (d.lastError ?? (d.lastStatus === null ? '-' : `HTTP ${d.lastStatus}`)) },
        ]),
      );
    });
}
