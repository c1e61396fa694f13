import { describe, expect, it } from 'vitest';
import { computeSignature, signatureHeader, verifyWebhookSignature } from './webhook-signature.ts';

const SECRET = 'whsec_test';
const BODY = '{"id":"evt_1","type":"session.killed"}';
const T = 1_780_000_000;

describe('webhook signatures', () => {
  it('signs t and body with HMAC-SHA256 and verifies its own header', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(header).toMatch(/^t=1780000000,v1=[0-9a-f]{64}$/);
    expect(header).toBe(`t=${T},v1=${computeSignature(SECRET, T, BODY)}`);
    expect(verifyWebhookSignature({ secret: SECRET, body: BODY, header, nowSeconds: T + 10 })).toEqual({ ok: true, timestamp: T });
  });

  it('refuses a changed body, another secret, a replay outside the tolerance and a malformed header', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifyWebhookSignature({ secret: SECRET, body: `${BODY} `, header, nowSeconds: T })).toMatchObject({ ok: false, reason: /does not match/ });
    expect(verifyWebhookSignature({ secret: 'other', body: BODY, header, nowSeconds: T })).toMatchObject({ ok: false });
    expect(verifyWebhookSignature({ secret: SECRET, body: BODY, header, nowSeconds: T + 301 })).toMatchObject({ ok: false, reason: /timestamp/ });
    expect(verifyWebhookSignature({ secret: SECRET, body: BODY, header, nowSeconds: T + 1000, toleranceSeconds: 2000 })).toMatchObject({ ok: true });
    // The timestamp is inside the MAC: moving it breaks the signature.
    const moved = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(verifyWebhookSignature({ secret: SECRET, body: BODY, header: moved, nowSeconds: T })).toMatchObject({ ok: false, reason: /does not match/ });
    for (const bad of [undefined, '', 'v1=abc', `t=${T}`, `t=x,v1=${'0'.repeat(64)}`]) {
      expect(verifyWebhookSignature({ secret: SECRET, body: BODY, header: bad, nowSeconds: T })).toMatchObject({ ok: false, reason: /missing or malformed/ });
    }
  });

  it('accepts any of several v1 entries (secret rotation)', () => {
    const header = `t=${T},v1=${computeSignature('old', T, BODY)},v1=${computeSignature(SECRET, T, BODY)}`;
    expect(verifyWebhookSignature({ secret: SECRET, body: BODY, header, nowSeconds: T })).toMatchObject({ ok: true });
  });
});
