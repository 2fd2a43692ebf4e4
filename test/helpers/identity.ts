import { randomBytes } from 'node:crypto';
import { signIdentity } from '../../src/core/identity.ts';

/**
 * The CHAT_IDENTITY_SECRET of services that tests start as a host app's would be: random per run,
 * as there is no known development secret any more.
 */
export const TEST_IDENTITY_SECRET = randomBytes(32).toString('base64url');

/** What the host app sends for `email`: its signature under TEST_IDENTITY_SECRET. */
export function identityOf(email: string): string {
  return signIdentity(email, TEST_IDENTITY_SECRET);
}
