import type { Command } from 'commander';
import { ApiClient } from './api-client.ts';

/** What every command gets: where to write, the environment, and a client built from global flags. */
export interface CliContext {
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  client(options?: { url?: string | undefined; token?: string | undefined }): ApiClient;
  /** A command sets this to report a finding (drift, failed verification) without throwing. */
  exitCode: number;
}

export function makeContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  return {
    env,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    client: (options = {}) => new ApiClient(options, env),
    exitCode: 0,
  };
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}

/** A client built from the --url/--token given on the root command. */
export function clientFor(ctx: CliContext, command: Command): ApiClient {
  let root = command;
  while (root.parent !== null) root = root.parent;
  const { url, token } = root.opts<{ url?: string; token?: string }>();
  return ctx.client({ url, token });
}
