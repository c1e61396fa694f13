import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/error-catalogue.ts';
import { StintError, type ErrorDetail } from '../errors/stint-error.ts';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly fix: string; readonly details: readonly ErrorDetail[] };
}

export function errorBody(error: StintError): ErrorBody {
  return { error: error.toJSON() };
}

/** Turns a zod failure on a request part into a 400 naming each bad field. */
export function requestValidationError(part: 'body' | 'query' | 'path', issues: readonly z.core.$ZodIssue[]): StintError {
  const details: ErrorDetail[] = issues.map((issue) => ({
    field: issue.path.length > 0 ? `${part}.${issue.path.map(String).join('.')}` : part,
    message: issue.message,
  }));
  const first = details[0];
  const summary = first === undefined ? `The request ${part} is invalid.` : `Invalid ${first.field ?? part}: ${first.message}`;
  return new StintError('STINT_ERR_BAD_REQUEST', summary, details);
}

/** Maps Fastify's own failures (body limit, bad JSON) onto catalogue codes. */
function fromFastifyError(error: FastifyError): StintError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new StintError('STINT_ERR_BODY_TOO_LARGE', `The request body exceeds the ${error.message.match(/\d+/)?.[0] ?? ''} byte limit.`.replace('  ', ' '));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new StintError('STINT_ERR_BAD_REQUEST', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new StintError('STINT_ERR_BAD_REQUEST', 'The request body is empty; send a JSON object.');
    case 'FST_ERR_BAD_URL':
      return new StintError('STINT_ERR_BAD_REQUEST', 'The URL is not valid: a part of its path is not well-formed percent-encoding.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new StintError('STINT_ERR_BAD_REQUEST', 'A part of the URL path is too long to be an identifier.');
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return new StintError('STINT_ERR_BAD_REQUEST', 'The request body is not valid JSON.');
      }
      return null;
  }
}

/**
 * Only StintErrors reach the caller. Anything else is logged with its stack
 * and answered as STINT_ERR_INTERNAL, so internals never leak.
 */
export function makeErrorHandler(logger: Logger) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    let stint: StintError;
    if (error instanceof StintError) stint = error;
    else {
      const mapped = 'code' in error && typeof error.code === 'string' ? fromFastifyError(error) : null;
      if (mapped !== null) stint = mapped;
      else {
        logger.error({ err: error, url: request.url, method: request.method }, 'internal error while handling request');
        stint = new StintError('STINT_ERR_INTERNAL');
      }
    }
    const status = stint.httpStatus === 0 ? 500 : stint.httpStatus;
    if (status >= 500 && stint.code !== 'STINT_ERR_INTERNAL') logger.warn({ code: stint.code, msg: stint.message }, 'request failed');
    void reply.code(status).send(errorBody(stint));
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const error = new StintError('STINT_ERR_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`);
  void reply.code(ERROR_CATALOGUE.STINT_ERR_NOT_FOUND.httpStatus).send(errorBody(error));
}
