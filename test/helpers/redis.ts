import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysUnder as deleteKeysIn, keysUnder } from '../../src/queue/redis.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for one test file or test, so tests never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${randomUUID().slice(0, 8)}`;
}

export { keysUnder };

/** Deletes every key under `prefix`, on a connection of its own (for afterAll hooks). */
export async function deleteKeysUnder(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    await deleteKeysIn(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Everything stored under `prefix` as text: hashes, lists, sets, sorted sets, strings, streams. */
export async function dumpKeysUnder(prefix: string): Promise<string> {
  const redis = new Redis(REDIS_URL);
  const parts: string[] = [];
  try {
    for (const key of await keysUnder(redis, prefix)) {
      const type = await redis.type(key);
      if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, '0', '-1')));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } finally {
    redis.disconnect();
  }
  return parts.join('\n');
}
