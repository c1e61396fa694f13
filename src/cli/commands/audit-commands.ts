import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { AuditEvent } from '../../audit/audit-event.ts';
import { trustedPublicKeys } from '../../audit/audit-signing-key.ts';
import { formatVerifyReport, verifyAuditLog, type VerifyReport } from '../../audit/audit-verify.ts';
import { StintError } from '../../errors/stint-error.ts';
import { openStore } from '../../store/open-store.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { EXIT } from '../exit-codes.ts';
import { formatInstant, formatTable } from '../output.ts';
import { parsePastInstant } from '../time-flags.ts';

interface VerifyFlags {
  data?: string;
  store?: string;
  publicKey?: string[];
  json?: boolean;
}

interface SearchFlags {
  actor?: string;
  resource?: string;
  code?: string;
  since?: string;
  until?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Offline verification reads a copy of the store directly, never writing to it. */
async function verifyOffline(flags: VerifyFlags): Promise<VerifyReport> {
  const dataDir = flags.data ?? '.stint';
  if (flags.store === undefined && !existsSync(join(dataDir, 'stint.db'))) {
    throw new StintError('STINT_ERR_STORE_UNAVAILABLE', `No store found at ${join(dataDir, 'stint.db')}; pass --data DIR or --store URL.`);
  }
  const trustedKeys = flags.publicKey?.map((file) => readFileSync(file, 'utf8')) ?? trustedPublicKeys(dataDir);
  const store = await openStore({ url: flags.store, dataDir }, { readonly: true });
  try {
    return await verifyAuditLog(store, trustedKeys.length > 0 ? { trustedKeys } : {});
  } finally {
    await store.close();
  }
}

export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('Verify, search and export the tamper-evident audit log');

  audit
    .command('verify')
    .description('Check the hash chain and signed checkpoints; exit 3 naming the first bad seq when tampered')
    .option('--data <dir>', 'verify offline: the data directory of an embedded store (or a copy of it)')
    .option('--store <url>', 'verify offline: a PostgreSQL store URL (or a restored backup)')
    .option('--public-key <file>', 'trusted checkpoint public key (SPKI PEM); repeatable', collect)
    .option('--json', 'print the report as JSON')
    .action(async (flags: VerifyFlags, command: Command) => {
      const offline = flags.data !== undefined || flags.store !== undefined;
      const report = offline ? await verifyOffline(flags) : await clientFor(ctx, command).get<VerifyReport>('/v1/audit/verify');
      if (flags.json === true) printJson(ctx, report);
      else ctx.out(formatVerifyReport(report));
      if (!report.ok) ctx.exitCode = EXIT.FINDING;
    });

  audit
    .command('search [text...]')
    .description('Full-text search with filters, newest first')
    .option('--actor <email>', 'only events by this actor')
    .option('--resource <name>', 'only events about this resource')
    .option('--code <code>', 'only this event code (a trailing * matches a prefix, e.g. AUTH_*)')
    .option('--since <when>', 'from this instant: 24h, 7d, a date or ISO timestamp')
    .option('--until <when>', 'up to this instant')
    .option('--limit <n>', 'events per page (1-500)', '50')
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--json', 'print one JSON event per line')
    .action(async (text: string[], flags: SearchFlags, command: Command) => {
      const result = await clientFor(ctx, command).get<{ events: AuditEvent[]; nextCursor: string | null }>('/v1/audit/events', {
        q: text.length > 0 ? text.join(' ') : undefined,
        actor: flags.actor,
        resource: flags.resource,
        code: flags.code,
        since: flags.since === undefined ? undefined : parsePastInstant(flags.since, '--since'),
        until: flags.until === undefined ? undefined : parsePastInstant(flags.until, '--until'),
        limit: flags.limit,
        cursor: flags.cursor,
      });
      if (flags.json === true) {
        for (const event of result.events) ctx.out(JSON.stringify(event));
        return;
      }
      if (result.events.length === 0) return ctx.out('No matching events.');
      ctx.out(
        formatTable(result.events, [
          { header: 'seq', value: (e) => String(e.seq) },
          { header: 'time', value: (e) => formatInstant(e.ts) },
          { header: 'code', value: (e) => e.code },
          { header: 'actor', value: (e) => e.actor },
          { header: 'resource', value: (e) => e.resource ?? '' },
          { header: 'summary', value: (e) => e.summary },
        ]),
      );
      if (result.nextCursor !== null) ctx.out(`More: --cursor ${result.nextCursor}`);
    });

  audit
    .command('export')
    .description('Export events as JSON Lines (oldest first) for a SIEM')
    .option('--since <when>', 'from this instant: 24h, 7d, a date or ISO timestamp')
    .option('--until <when>', 'up to this instant')
    .option('--after-seq <seq>', 'only events after this seq (resume an export)')
    .option('--output <file>', 'write to a file instead of stdout')
    .action(async (flags: { since?: string; until?: string; afterSeq?: string; output?: string }, command: Command) => {
      const chunks = clientFor(ctx, command).stream('/v1/audit/export', {
        since: flags.since === undefined ? undefined : parsePastInstant(flags.since, '--since'),
        until: flags.until === undefined ? undefined : parsePastInstant(flags.until, '--until'),
        after_seq: flags.afterSeq,
      });
      const sink: Writable = flags.output === undefined ? process.stdout : createWriteStream(flags.output);
      for await (const chunk of chunks) {
        if (!sink.write(chunk)) await once(sink, 'drain');
      }
      if (sink !== process.stdout) await new Promise<void>((resolve) => sink.end(resolve));
    });
}
