import { StintError } from '../../errors/stint-error.ts';
import { resolveSecret } from '../../policy/policy-secrets.ts';
import type { ResourceSpec } from '../../policy/policy-types.ts';
import type { UpstreamTarget, UpstreamTls } from './postgres-upstream.ts';

const ADDRESS = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

/**
 * The real server behind a resource, with its credential resolved now — at
 * connection time, so a rotated secret is picked up without a restart and a
 * missing one fails only the connections that need it.
 */
export function upstreamTargetFor(resource: ResourceSpec, env: NodeJS.ProcessEnv = process.env): UpstreamTarget {
  const match = ADDRESS.exec(resource.address);
  if (match === null) throw new StintError('STINT_ERR_CONFIG', `Resource ${resource.name} has an unreadable address "${resource.address}".`);
  const user = resource.credentials?.user;
  if (user === undefined) {
    throw new StintError('STINT_ERR_CONFIG', `Resource ${resource.name} has no credentials.user; the gateway needs a database user to connect as.`);
  }
  const password = resource.credentials?.password;
  return {
    host: match[1] ?? match[2] ?? '127.0.0.1',
    port: Number(match[3]),
    database: resource.database ?? resource.name,
    user,
    ...(password === undefined ? {} : { password: resolveSecret(password, env) }),
    tls: (resource.tls ?? 'prefer') satisfies UpstreamTls,
    ...(resource.tlsCa === undefined ? {} : { ca: resolveSecret(resource.tlsCa, env) }),
    resource: resource.name,
  };
}
