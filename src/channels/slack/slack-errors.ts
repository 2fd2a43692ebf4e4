import { UnrecoverableError, Worker } from 'bullmq';

/** Slack's answers that a retry would get again: the job fails for good. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'invalid_blocks',
  'msg_too_long',
  'message_not_found',
  'cant_update_message',
  'no_text',
]);

/**
 * What a worker does with a Web API failure: a 429 pauses the whole queue for Slack's Retry-After
 * (the job goes back without spending an attempt); a refusal that will not change is permanent;
 * anything else (5xx, a timeout, an unreadable answer) throws for a retry with backoff.
 */
export async function handleSlackFailure(worker: Worker, error: unknown): Promise<never> {
  const coded = error as { code?: string; retryAfter?: number; data?: { error?: unknown } };
  if (coded.code === 'slack_webapi_rate_limited_error') {
    await worker.rateLimit(Math.max(1, coded.retryAfter ?? 1) * 1000);
    throw Worker.RateLimitError();
  }
  const platform = coded.code === 'slack_webapi_platform_error' ? String(coded.data?.error ?? '') : '';
  if (PERMANENT.has(platform)) throw new UnrecoverableError(`slack_rejected: ${platform}`);
  throw new Error(`slack_unavailable: ${platform || coded.code || 'request failed'}`);
}
