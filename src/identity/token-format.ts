import { createHash, randomBytes } from 'node:crypto';

/**
 * The shapes of secrets Stint hands out. Tokens and invite codes carry a
 * `stint_` prefix so secret scanners (and people) recognise a leaked one, and
 * they are stored only as SHA-256 hashes: 32 random bytes need no salt or slow
 * hash, because nobody can guess them, only steal them.
 */

export const TOKEN_PREFIX = 'stint_';
export const INVITE_CODE_PREFIX = 'stint_inv_';

const TOKEN_PATTERN = /^stint_[A-Za-z0-9_-]{43}$/;
const INVITE_CODE_PATTERN = /^stint_inv_[A-Za-z0-9_-]{32}$/;

/** A new access token (32 random bytes) and the hash that is all the store keeps of it. */
export function newAccessToken(): { token: string; hash: string } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSecret(token) };
}

/** SHA-256 (hex) of a token or invite code: the only form in which either is stored or looked up. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newTokenId(): string {
  return `tok_${randomBytes(8).toString('hex')}`;
}

/** A new invite code (24 random bytes, 32 base64url characters). */
export function newInviteCode(): string {
  return `${INVITE_CODE_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function newInviteId(): string {
  return `inv_${randomBytes(8).toString('hex')}`;
}

/** True when the text has the exact shape of an access token (it may still be unknown). */
export function looksLikeToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/** True when the text has the exact shape of an invite code. */
export function looksLikeInviteCode(text: string): boolean {
  return INVITE_CODE_PATTERN.test(text);
}
