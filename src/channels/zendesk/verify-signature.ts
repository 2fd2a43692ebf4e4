import { createHmac } from 'node:crypto';
import { sameBytes } from '../../core/constant-time.ts';
import type { SignatureVerdict, SignedRequest } from '../../core/signature.ts';

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** Checks a Zendesk webhook signature: pure, constant-time, with a replay window. */
export function verifyZendeskSignature(input: SignedRequest): SignatureVerdict {
  const { body, signature, timestamp, secret, now = Date.now(), toleranceSeconds = 300 } = input;
  if (!signature || !timestamp) return { ok: false, reason: 'missing' };
  const sentAt = Date.parse(timestamp);
  if (!Number.isFinite(sentAt) || Math.abs(now - sentAt) > toleranceSeconds * 1000)
    return { ok: false, reason: 'stale' };
  // Only base64 of 32 bytes can match: a hex digest (or anything else) is refused before comparing.
  if (!BASE64_SHA256.test(signature)) return { ok: false, reason: 'mismatch' };
  const expected = Buffer.from(signZendeskWebhook(body, timestamp, secret), 'base64');
  return sameBytes(Buffer.from(signature, 'base64'), expected)
    ? { ok: true }
    : { ok: false, reason: 'mismatch' };
}

/** Signs like Zendesk does (tests, and fakes that call the webhook). */
export function signZendeskWebhook(body: string, timestamp: string, secret: string): string {
  return createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64');
}
