import { createHmac } from 'node:crypto';
import { sameBytes } from './constant-time.ts';

/**
 * The host app's proof of who the customer is: hex HMAC-SHA256 of the lower-cased, trimmed email
 * under the shared secret (as Intercom's identity verification does).
 */
export function signIdentity(email: string, secret: string): string {
  return createHmac('sha256', secret).update(email.trim().toLowerCase()).digest('hex');
}

/** Constant-time check of a signature; any malformed signature is simply not valid. */
export function verifyIdentity(email: string, signature: string, secret: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signIdentity(email, secret), 'hex');
  return sameBytes(Buffer.from(signature, 'hex'), expected);
}
