import type { Redis } from 'ioredis';

/** One counted limit: at most `max` hits per `windowMs` for `key`. */
export interface Limit {
  key: string;
  max: number;
  windowMs: number;
}

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Fixed-window counters for every limit of a request in one atomic script, so a request that is
 * limited per address and per conversation costs one Redis round trip, and every instance shares
 * the counts.
 */
const COUNT = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  out[#out + 1] = count
  out[#out + 1] = redis.call('PTTL', key)
end
return out`;

type CountingRedis = Redis & { countLimits(...args: (string | number)[]): Promise<number[]> };

export class RateLimiter {
  private readonly redis: CountingRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('countLimits' in redis)) redis.defineCommand('countLimits', { lua: COUNT });
    this.redis = redis as CountingRedis;
  }

  /** Counts a hit on every limit; denied when any is over, with the longest wait. */
  async hit(limits: readonly Limit[]): Promise<LimitVerdict> {
    const keys = limits.map((limit) => `${this.prefix}:ratelimit:${limit.key}`);
    const counts = await this.redis.countLimits(
      keys.length,
      ...keys,
      ...limits.map((limit) => limit.windowMs),
    );
    let retryAfterMs = 0;
    limits.forEach((limit, index) => {
      const count = counts[index * 2] ?? 0;
      const ttl = counts[index * 2 + 1] ?? limit.windowMs;
      if (count > limit.max) retryAfterMs = Math.max(retryAfterMs, ttl > 0 ? ttl : limit.windowMs);
    });
    return retryAfterMs === 0
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
  }
}
