/**
 * Secret references (`env:NAME`, `file:/abs/path`). Policy files hold only the
 * reference; the value is read at the moment a connection needs it, so it is
 * never stored, hashed into a digest, shown in a plan or written to a log.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { StintError } from '../errors/stint-error.ts';
import type { SecretRef } from './policy-types.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface SecretProblem {
  readonly message: string;
  readonly fix: string;
}

/**
 * Why `text` is not a usable reference, or undefined when it is one. The
 * answer never quotes `text`: when it is not a reference it is most likely a
 * real password somebody pasted in.
 */
export function secretRefProblem(text: string): SecretProblem | undefined {
  if (text.startsWith('env:')) {
    const name = text.slice(4);
    if (ENV_NAME.test(name)) return undefined;
    return {
      message: `"${text}" is not a valid environment variable reference`,
      fix: 'Write env:NAME where NAME is letters, digits and "_" and does not start with a digit, e.g. env:DEMO_PG_PASSWORD.',
    };
  }
  if (text.startsWith('file:')) {
    if (isAbsolute(text.slice(5))) return undefined;
    return { message: `"${text}" is not an absolute file reference`, fix: 'Write file: followed by an absolute path, e.g. file:/run/secrets/demo-password.' };
  }
  return {
    message: 'The password is written inline; policy files never hold secrets',
    fix: 'Never inline secrets: put the password in an environment variable of the gateway and write password: env:NAME, or in a file and write password: file:/absolute/path. Then rotate the exposed password.',
  };
}

export function isSecretRef(text: string): text is SecretRef {
  return secretRefProblem(text) === undefined;
}

/** Reads the secret a reference names. Errors name the reference, never a value. */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if (!isSecretRef(ref)) {
    throw new StintError('STINT_ERR_CONFIG', 'A credential is not a secret reference; write env:NAME or file:/absolute/path.');
  }
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    if (value === undefined || value === '') {
      throw new StintError('STINT_ERR_CONFIG', `The secret reference ${ref} names an environment variable that is not set (or is empty) in the gateway process.`);
    }
    return value;
  }
  const path = ref.slice(5);
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new StintError('STINT_ERR_CONFIG', `The secret reference ${ref} cannot be read (${errorCode(cause)}).`, [], { cause });
  }
  // `echo secret > file` leaves a newline that is not part of the password.
  return content.replace(/\r?\n$/, '');
}

/**
 * Whether a reference can be resolved in this process, as a warning message
 * (undefined when it can). Policies are often validated away from the gateway
 * that will use them, so this is never an error.
 */
export function checkSecretRef(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    return value === undefined || value === '' ? `The environment variable ${ref.slice(4)} (from ${ref}) is not set in this process.` : undefined;
  }
  try {
    accessSync(ref.slice(5), constants.R_OK);
    return undefined;
  } catch (cause) {
    return `The file ${ref.slice(5)} (from ${ref}) is not readable by this process (${errorCode(cause)}).`;
  }
}

function errorCode(cause: unknown): string {
  if (cause !== null && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return 'unreadable';
}
