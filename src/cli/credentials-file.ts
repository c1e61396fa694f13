import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface SavedCredentials {
  readonly url: string;
  readonly token: string;
  readonly email: string;
  readonly expiresAt: number | null;
}

/** Where `stint accept` keeps the token, like `gh auth login`: only the owner can read it. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.STINT_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'stint');
  return join(base, 'credentials.json');
}

export function readCredentials(env: NodeJS.ProcessEnv = process.env): SavedCredentials | null {
  try {
    const parsed = JSON.parse(readFileSync(credentialsPath(env), 'utf8')) as Partial<SavedCredentials>;
    if (typeof parsed.token !== 'string' || typeof parsed.url !== 'string') return null;
    return { url: parsed.url, token: parsed.token, email: parsed.email ?? '', expiresAt: parsed.expiresAt ?? null };
  } catch {
    return null;
  }
}

export function saveCredentials(credentials: SavedCredentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsPath(env);
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
