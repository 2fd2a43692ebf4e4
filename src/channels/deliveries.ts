import type { Redis } from 'ioredis';

/** How long a delivery is remembered: far longer than any signature's 5-minute window. */
export const SEEN_SECONDS = 7 * 86_400;

/**
 * Claims every key of a delivery at once: none is set if any was seen, so a replay that reuses
 * one key (the signed body) under a fresh other key (a new invocation or retry) is still a duplicate.
 */
const CLAIM_DELIVERY = `
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then return 0 end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, '1', 'EX', ARGV[1]) end
return 1`;

/**
 * The store of deliveries already applied, shared by the webhooks (Zendesk, Slack): a delivery is
 * applied once, whatever the sender retries or an attacker replays.
 */
export class DeliveryClaims {
  constructor(
    private readonly redis: Redis,
    private readonly seconds = SEEN_SECONDS,
  ) {}

  /** True when none of the keys was seen before (they are all taken now); false for a duplicate. */
  async claim(keys: readonly string[]): Promise<boolean> {
    if (keys.length === 0) return true;
    return (await this.redis.eval(CLAIM_DELIVERY, keys.length, ...keys, this.seconds)) === 1;
  }

  /** Gives the keys back when the delivery was not applied, so that the sender's retry goes through. */
  async release(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys);
  }
}
