/**
 * Every failed API call becomes an ApiError carrying the catalogue code
 * (STINT_ERR_*), the server's message and fix, and the HTTP status, so each
 * panel can say what happened and what to do. Failures that never reached
 * the API get codes of their own, prefixed CONSOLE_, so they cannot be
 * mistaken for the server's.
 */
export interface ApiErrorDetail {
  readonly field?: string;
  readonly message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly status: number;
  readonly fix: string | null;
  readonly details: readonly ApiErrorDetail[];

  constructor(init: { code: string; message: string; status: number; fix?: string | null; details?: readonly ApiErrorDetail[] }) {
    super(init.message);
    this.code = init.code;
    this.status = init.status;
    this.fix = init.fix ?? null;
    this.details = init.details ?? [];
  }
}

/** The network failed or the server could not be reached: status 0. */
export const NETWORK_ERROR = 'CONSOLE_NETWORK_ERROR';
/** The server answered with something that is not the API's JSON. */
export const BAD_RESPONSE = 'CONSOLE_BAD_RESPONSE';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDetails(value: unknown): ApiErrorDetail[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).flatMap((d) =>
    typeof d.message === 'string' ? [{ message: d.message, ...(typeof d.field === 'string' ? { field: d.field } : {}) }] : [],
  );
}

/** Maps a non-2xx answer's status and body text onto an ApiError. */
export function errorFromResponse(status: number, bodyText: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error !== undefined && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError({
      code: error.code,
      message: error.message,
      status,
      fix: typeof error.fix === 'string' && error.fix !== '' ? error.fix : null,
      details: readDetails(error.details),
    });
  }
  const snippet = bodyText.trim().slice(0, 200);
  return new ApiError({
    code: BAD_RESPONSE,
    status,
    message: `The server answered HTTP ${status} without an API error body${snippet === '' ? '.' : `: ${snippet}`}`,
    fix: 'Check that the console is served by a Stint server of the same version, and look at the server log.',
  });
}

/** Wraps a fetch rejection (offline, DNS, refused, aborted). */
export function networkError(cause: unknown): ApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({
    code: NETWORK_ERROR,
    status: 0,
    message: `The Stint server could not be reached (${reason}).`,
    fix: 'Check your connection and that the server is running, then try again.',
  });
}

/** Any thrown value as an ApiError, for panels that show errors. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({ code: 'CONSOLE_ERROR', status: 0, message: error instanceof Error ? error.message : String(error) });
}

/** Codes that mean the token in hand no longer works: the console signs out. */
export const SIGN_OUT_CODES: ReadonlySet<string> = new Set([
  'STINT_ERR_UNAUTHENTICATED',
  'STINT_ERR_TOKEN_INVALID',
  'STINT_ERR_TOKEN_EXPIRED',
  'STINT_ERR_TOKEN_REVOKED',
  'STINT_ERR_CONTRACTOR_OFFBOARDED',
  'STINT_ERR_ENGAGEMENT_ENDED',
]);
