import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ApplyResult } from '../../control/policy-control.ts';
import { policyJsonSchema } from '../../policy/policy-json-schema.ts';
import { loadPolicyFromPath } from '../../policy/policy-load.ts';
import { formatPlan, type PolicyPlan } from '../../policy/policy-plan.ts';
import type { LoadedPolicy } from '../../policy/policy-types.ts';
import { clientFor, printJson, type CliContext } from '../cli-context.ts';
import { EXIT } from '../exit-codes.ts';

interface ConfigFlags {
  config: string;
  json?: boolean;
}

function printWarnings(ctx: CliContext, loaded: LoadedPolicy): void {
  for (const warning of loaded.warnings) {
    const place = [warning.file, warning.line].filter((p) => p !== undefined).join(':');
    ctx.err(`warning: ${place === '' ? '' : `${place} `}${warning.field === undefined ? '' : `${warning.field}: `}${warning.message}`);
  }
}

/** Reads and validates the files locally first, so errors name the file and line before any network call. */
async function readLocal(ctx: CliContext, path: string): Promise<LoadedPolicy> {
  const loaded = await loadPolicyFromPath(path);
  printWarnings(ctx, loaded);
  return loaded;
}

export function registerPolicyCommands(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('Work with policy files offline');
  policy
    .command('schema')
    .description('Print the JSON Schema of a policy file, for editor autocompletion')
    .option('--out <file>', 'write it to a file instead of stdout')
    .action((flags: { out?: string }) => {
      const text = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
      if (flags.out === undefined) ctx.out(text);
      else writeFileSync(flags.out, text);
    });
  policy
    .command('validate')
    .description('Validate policy files without contacting a server')
    .requiredOption('--config <path>', 'policy file or directory')
    .option('--json', 'print the result as JSON')
    .action(async (flags: ConfigFlags) => {
      const loaded = await readLocal(ctx, flags.config);
      if (flags.json === true) printJson(ctx, { valid: true, digest: loaded.digest, files: loaded.files.map((f) => f.path), warnings: loaded.warnings });
      else ctx.out(`Valid: ${loaded.files.length} file(s), digest ${loaded.digest}.`);
    });

  program
    .command('plan')
    .description('Show what applying the policy files would change, in consequences')
    .requiredOption('--config <path>', 'policy file or directory')
    .option('--json', 'print the plan as JSON')
    .action(async (flags: ConfigFlags, command: Command) => {
      const loaded = await readLocal(ctx, flags.config);
      const plan = await clientFor(ctx, command).post<PolicyPlan>('/v1/policy/plan', { files: loaded.files });
      if (flags.json === true) printJson(ctx, plan);
      else ctx.out(formatPlan(plan));
    });

  program
    .command('apply')
    .description('Apply the policy files atomically (recorded in the audit log with digest and diff)')
    .requiredOption('--config <path>', 'policy file or directory')
    .option('--json', 'print the result as JSON')
    .action(async (flags: ConfigFlags, command: Command) => {
      const loaded = await readLocal(ctx, flags.config);
      const result = await clientFor(ctx, command).post<ApplyResult>('/v1/policy/apply', { files: loaded.files });
      if (flags.json === true) printJson(ctx, result);
      else ctx.out(`${formatPlan(result)}\nApplied policy ${result.digest} as version ${result.version}.`);
    });

  program
    .command('drift')
    .description('Exit 0 when the running state equals the files; exit 3 and list the differences otherwise')
    .requiredOption('--config <path>', 'policy file or directory')
    .option('--json', 'print the differences as JSON')
    .action(async (flags: ConfigFlags, command: Command) => {
      const loaded = await readLocal(ctx, flags.config);
      const plan = await clientFor(ctx, command).post<PolicyPlan>('/v1/policy/plan', { files: loaded.files });
      if (flags.json === true) printJson(ctx, { drift: plan.hasChanges, digest: plan.digest, runningDigest: plan.previousDigest, changes: plan.changes });
      else if (plan.hasChanges) ctx.out(`Drift: the running state differs from the files.\n${formatPlan(plan)}`);
      else ctx.out('No drift: the running state matches the files.');
      if (plan.hasChanges) ctx.exitCode = EXIT.FINDING;
    });
}
