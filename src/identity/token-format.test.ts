import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isEmailAddress, normaliseEmail } from './email-address.ts';
import { hashSecret, looksLikeInviteCode, looksLikeToken, newAccessToken, newInviteCode, newInviteId, newTokenId } from './token-format.ts';

describe('token format', () => {
  it('makes stint_ tokens of 32 random bytes with their SHA-256 hash', () => {
    const { token, hash } = newAccessToken();
    expect(token).toMatch(/^stint_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice('stint_'.length), 'base64url')).toHaveLength(32);
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(looksLikeToken(token)).toBe(true);
  });

  it('never repeats a token, id or code', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => newAccessToken().token));
    const ids = new Set(Array.from({ length: 200 }, () => newTokenId()));
    const codes = new Set(Array.from({ length: 200 }, () => newInviteCode()));
    expect([tokens.size, ids.size, codes.size]).toEqual([200, 200, 200]);
  });

  it('shapes ids and invite codes', () => {
    expect(newTokenId()).toMatch(/^tok_[0-9a-f]{16}$/);
    expect(newInviteId()).toMatch(/^inv_[0-9a-f]{16}$/);
    const code = newInviteCode();
    expect(code).toMatch(/^stint_inv_[A-Za-z0-9_-]{32}$/);
    expect(looksLikeInviteCode(code)).toBe(true);
    // A code is not a token and a token is not a code: the lengths differ.
    expect(looksLikeToken(code)).toBe(false);
    expect(looksLikeInviteCode(newAccessToken().token)).toBe(false);
  });

  it.each(['', 'stint_', 'stint_short', `STINT_${'a'.repeat(43)}`, `stint_${'a'.repeat(42)}`, `stint_${'a'.repeat(44)}`, `stint_${'a'.repeat(42)}=`, ` stint_${'a'.repeat(43)}`])(
    'rejects %j as a token shape',
    (text) => {
      expect(looksLikeToken(text)).toBe(false);
    },
  );

  it('hashes deterministically and distinctly', () => {
    expect(hashSecret('a')).toBe(hashSecret('a'));
    expect(hashSecret('a')).not.toBe(hashSecret('b'));
    expect(hashSecret('a')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('email addresses', () => {
  it('normalises to trimmed lower case', () => {
    expect(normaliseEmail('  Alice@Vendor.Example ')).toBe('alice@vendor.example');
  });

  it.each([
    ['alice@vendor.example', true],
    ['a.b+c@sub.vendor.example', true],
    ['alice', false],
    ['alice@', false],
    ['alice@vendor', false],
    ['al ice@vendor.example', false],
    ['a@b@vendor.example', false],
    ['alice@vendor..example', false],
    [`${'a'.repeat(250)}@v.example`, false],
  ])('%s valid: %s', (text, valid) => {
    expect(isEmailAddress(text)).toBe(valid);
  });
});
