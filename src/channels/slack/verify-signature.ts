import { createHmac } from 'node:crypto';
import { sameBytes } from '../../core/constant-time.ts';
import type { SignatureVerdict, SignedRequest } from '../../core/signature.ts';

const SIGNATURE = /^v0=[0-9a-f]{64}$/;

/** Checks a Slack request signature: pure, constant-time, with a replay window. */
export function verifySlackSignature(input: SignedRequest): SignatureVerdict {
  const { body, signature, timestamp, secret, now = Date.now(), toleranceSeconds = 300 } = input;
  if (!signature || !timestamp) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'stale' };
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'stale' };
  if (!SIGNATURE.test(signature)) return { ok: false, reason: 'mismatch' };
  return sameBytes(signature, signSlackRequest(body, timestamp, secret))
    ? { ok: true }
    : { ok: false, reason: 'mismatch' };
}

/** Signs like Slack does (tests and the benchmark send really signed requests). */
export function signSlackRequest(body: string, timestamp: string, secret: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
