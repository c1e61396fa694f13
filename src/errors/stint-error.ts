import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.ts';

/** One problem in a larger input, e.g. a field of a policy file. */
export interface ErrorDetail {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
  readonly fix?: string;
}

/**
 * The only error type allowed to reach a person. Anything else is logged and
 * reported as STINT_ERR_INTERNAL so internals never leak.
 */
export class StintError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message?: string, details: readonly ErrorDetail[] = [], options?: ErrorOptions) {
    super(message ?? ERROR_CATALOGUE[code].message, options);
    this.name = 'StintError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].httpStatus;
  }

  get fix(): string {
    return ERROR_CATALOGUE[this.code].fix;
  }

  toJSON(): { code: ErrorCode; message: string; fix: string; details: readonly ErrorDetail[] } {
    return { code: this.code, message: this.message, fix: this.fix, details: this.details };
  }
}

export function isStintError(value: unknown): value is StintError {
  return value instanceof StintError;
}
