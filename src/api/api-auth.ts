import type { FastifyRequest } from 'fastify';
import type { AuditSink } from '../audit/audit-event.ts';
import { StintError } from '../errors/stint-error.ts';
import type { Principal, TokenService } from '../identity/token-service.ts';
import { mayCall, type ApiRole } from './api-principal.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Authenticates a request and checks the route's roles. Every refusal is
 * audited before the caller hears about it.
 */
export async function authorize(
  request: FastifyRequest,
  access: readonly ApiRole[],
  deps: { tokens: TokenService; audit: AuditSink },
  operation: string,
): Promise<Principal> {
  const header = request.headers.authorization;
  const match = header === undefined ? null : BEARER.exec(header);
  if (match?.[1] === undefined) {
    await deps.audit.append({
      code: 'AUTH_TOKEN_MISSING',
      actor: `anonymous@${request.ip}`,
      summary: `Request to ${operation} without a bearer token.`,
      data: { via: 'api', ip: request.ip, operation },
    });
    throw new StintError('STINT_ERR_UNAUTHENTICATED');
  }
  const result = await deps.tokens.authenticate(match[1], { ip: request.ip, via: 'api' });
  if (!result.ok) throw new StintError(result.code, result.message);
  if (!mayCall(result.principal, access)) {
    await deps.audit.append({
      code: 'API_FORBIDDEN',
      actor: result.principal.email,
      summary: `${result.principal.email} (${result.principal.apiRoles.join(', ')}) may not call ${operation}.`,
      data: { via: 'api', ip: request.ip, operation, required: [...access], roles: [...result.principal.apiRoles] },
    });
    throw new StintError('STINT_ERR_FORBIDDEN', `Your role (${result.principal.apiRoles.join(', ')}) may not ${operation}; it needs ${['admin', ...access].join(' or ')}.`);
  }
  return result.principal;
}
