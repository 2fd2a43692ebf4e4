import { Redis } from 'ioredis';

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
