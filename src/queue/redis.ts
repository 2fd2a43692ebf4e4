import { Redis } from 'ioredis';

/** Every key under `prefix` (`prefix:*`), scanned in batches so that Redis is never blocked. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Deletes every key under `prefix` (benchmarks and tests clean up after themselves with it). */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

/**
 * A Redis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ's blocking workers
 * need; commands wait for a reconnect instead of failing while Redis restarts.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/**
 * A connection for the service's own short commands (conversation state, rate limits): commands
 * issued in the same tick go out in one write, which under load saves a system call per command.
 * Not for BullMQ, whose blocking connections must not be auto-pipelined.
 */
export function createPipelinedRedis(url: string): Redis {
  return new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
}
