import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, in the scheme receivers check:
 *
 *     Stint-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *
 * The timestamp is inside the MAC, so a captured request cannot be replayed
 * later than the receiver's tolerance; the body is the exact bytes sent. This
 * module has no dependencies beyond node:crypto so receivers written in
 * TypeScript can copy or import it (docs/webhooks.md shows other languages).
 */
export const SIGNATURE_HEADER = 'Stint-Signature';
export const EVENT_HEADER = 'Stint-Event';
export const DELIVERY_HEADER = 'Stint-Delivery';

/** Default window (seconds) within which a signed timestamp is accepted. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function computeSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The Stint-Signature header value for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export type VerifyResult = { readonly ok: true; readonly timestamp: number } | { readonly ok: false; readonly reason: string };

export interface VerifyOptions {
  readonly secret: string;
  /** The raw request body, exactly as received (before any JSON parsing). */
  readonly body: string;
  /** The Stint-Signature header value. */
  readonly header: string | null | undefined;
  /** How far the timestamp may be from now, in seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** Now, in unix seconds (default the system clock). */
  readonly nowSeconds?: number;
}

/**
 * Checks a delivery: a well-formed header, a timestamp within the tolerance
 * and a v1 MAC that matches (compared in constant time; several v1 entries
 * are accepted, e.g. while a secret is rotated).
 */
export function verifyWebhookSignature(options: VerifyOptions): VerifyResult {
  const header = options.header ?? '';
  let timestamp: number | undefined;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) macs.push(value);
  }
  if (timestamp === undefined || macs.length === 0) return { ok: false, reason: `the ${SIGNATURE_HEADER} header is missing or malformed` };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) return { ok: false, reason: `the signed timestamp is more than ${tolerance} s from now` };
  const expected = Buffer.from(computeSignature(options.secret, timestamp, options.body), 'hex');
  const matches = macs.some((mac) => timingSafeEqual(Buffer.from(mac, 'hex'), expected));
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'the signature does not match the body and secret' };
}
