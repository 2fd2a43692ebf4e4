import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { ErrorCode, RequestError } from '../../errors.ts';

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

/** The limit a request counts against, worked out from the request. */
export type LimitOf = (request: FastifyRequest) => Limit;

/**
 * At most `max` requests per minute from one address. Every route limited this way counts on the
 * same counter: the budget is the address's, whichever public route it spends it on.
 */
export function perAddress(max: number): LimitOf {
  return (request) => ({ key: `ip:${request.ip}`, max, windowMs: 60_000 });
}

/**
 * A preHandler that counts the request on every limit and refuses it when one is over: 429 with
 * Retry-After and how long to wait.
 */
export function limitedBy(limiter: RateLimiter, ...limits: LimitOf[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const verdict = await limiter.hit(limits.map((limit) => limit(request)));
    if (!verdict.allowed) {
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      throw new RequestError(
        ErrorCode.RateLimited,
        `Too many requests; try again in ${verdict.retryAfterSeconds} s.`,
      );
    }
  };
}
