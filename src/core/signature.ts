/** A signed webhook request as its signature check reads it (Zendesk's, Slack's). */
export interface SignedRequest {
  /** The raw request body, exactly as received. */
  body: string;
  /** The signature header, as sent. */
  signature: string | undefined;
  /** The timestamp header, as sent. */
  timestamp: string | undefined;
  secret: string;
  /** The clock in milliseconds, injectable for tests. @defaultValue Date.now() */
  now?: number;
  /** How far the timestamp may be from now, against replays. @defaultValue 300 */
  toleranceSeconds?: number;
}

/** Why a signature check failed, when it did: no headers, outside the window, or wrong. */
export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };
