import { Command, CommanderError } from 'commander';
import { StintError } from '../errors/stint-error.ts';
import { makeContext, type CliContext } from './cli-context.ts';
import { registerAuditCommands } from './commands/audit-commands.ts';
import { registerConnectCommands } from './commands/connect-commands.ts';
import { registerContractorCommands } from './commands/contractor-commands.ts';
import { registerExplainCommands } from './commands/explain-commands.ts';
import { registerInviteCommands } from './commands/invite-commands.ts';
import { registerOffboardCommands } from './commands/offboard-commands.ts';
import { registerPolicyCommands } from './commands/policy-commands.ts';
import { registerReportCommands } from './commands/report-commands.ts';
import { registerRequestCommands } from './commands/request-commands.ts';
import { registerServeCommand } from './commands/serve-command.ts';
import { registerSessionCommands } from './commands/session-commands.ts';
import { registerTokenCommands } from './commands/token-commands.ts';
import { registerWebhookCommands } from './commands/webhook-commands.ts';
import { EXIT } from './exit-codes.ts';
import { formatError } from './output.ts';

/** Errors caused by what the user typed or wrote exit 2; everything else that failed exits 1. */
const INPUT_ERRORS = new Set([
  'STINT_ERR_USAGE',
  'STINT_ERR_CONFIG',
  'STINT_ERR_POLICY_INVALID',
  'STINT_ERR_POLICY_YAML',
  'STINT_ERR_POLICY_NOT_FOUND',
  'STINT_ERR_BAD_REQUEST',
  'STINT_ERR_BAD_DURATION',
  'STINT_ERR_BAD_DATE',
  'STINT_ERR_UNKNOWN_ROLE',
  'STINT_ERR_NO_TOKEN',
  'STINT_ERR_NOT_REQUESTABLE',
  'STINT_ERR_DURATION_TOO_LONG',
  'STINT_ERR_REASON_REQUIRED',
]);

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('stint')
    .description('Scoped, time-bound, audited access for contractors.')
    .option('--url <url>', 'Stint server URL (default: STINT_URL, then http://127.0.0.1:7070)')
    .option('--token <token>', 'access token (default: STINT_TOKEN, then the token saved by `stint accept`)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
  registerServeCommand(program, ctx);
  registerPolicyCommands(program, ctx);
  registerInviteCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerContractorCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerSessionCommands(program, ctx);
  registerConnectCommands(program, ctx);
  registerRequestCommands(program, ctx);
  registerReportCommands(program, ctx);
  registerOffboardCommands(program, ctx);
  registerWebhookCommands(program, ctx);
  registerExplainCommands(program, ctx);
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[], ctx: CliContext = makeContext()): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    ctx.err(formatError(error));
    if (error instanceof StintError) return INPUT_ERRORS.has(error.code) ? EXIT.USAGE : EXIT.ERROR;
    return EXIT.ERROR;
  }
}
