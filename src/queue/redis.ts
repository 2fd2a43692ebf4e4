import { Redis, type RedisOptions } from 'ioredis';

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
 * How long a short command may take before it fails. Without a bound, a frozen Redis (the socket
 * stays open, nothing answers) holds every request until Redis comes back.
 * @defaultValue 1000
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

/** Reconnects quickly at first, then every second: a restarted Redis is found again within a second. */
const retryStrategy = (attempt: number) => Math.min(attempt * 100, 1_000);

/**
 * A connection for short commands that a request waits on (BullMQ queue producers, conversation
 * state, rate limits): each command fails after `commandTimeoutMs`, and a command issued while the
 * connection is down fails after one reconnect attempt, so a caller answers "unavailable" within
 * seconds instead of hanging. Never for a worker or an event reader: those block on purpose (see
 * `blockingDuplicate`).
 */
export function createRedis(url: string, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Redis {
  return new Redis(url, boundedOptions(commandTimeoutMs));
}

function boundedOptions(commandTimeoutMs: number): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2_000,
    retryStrategy,
    enableReadyCheck: true,
  };
}

/**
 * The same, with auto-pipelining: commands issued in the same tick go out in one write, which under
 * load saves a system call per command (conversation state and rate limits). Not for BullMQ.
 */
export function createPipelinedRedis(url: string, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Redis {
  return new Redis(url, { ...boundedOptions(commandTimeoutMs), enableAutoPipelining: true });
}

/**
 * A connection of its own for BullMQ's blocking readers (workers, queue events): no command
 * timeout (a blocking read waits by design) and `maxRetriesPerRequest: null`, which BullMQ requires,
 * so that it waits through a Redis restart instead of failing.
 */
export function blockingDuplicate(connection: Redis): Redis {
  const duplicate = connection.duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined });
  // It reconnects by itself; BullMQ reports what matters through its own 'error' events.
  duplicate.on('error', () => undefined);
  return duplicate;
}

/** ioredis's ways of saying that Redis did not answer (as opposed to answering with an error). */
const UNAVAILABLE_MESSAGES = [
  'Command timed out',
  'Connection is closed.',
  "Stream isn't writeable",
  'Reached the max retries per request limit',
];

/** Whether `error` means that Redis is unreachable or not answering: transient, worth a retry later. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  if (UNAVAILABLE_MESSAGES.some((message) => error.message.startsWith(message))) return true;
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT';
}

/**
 * Redis's `maxmemory-policy`, read from INFO (which managed services allow where CONFIG GET is
 * often renamed away), or undefined when Redis does not say.
 */
export async function evictionPolicy(redis: Redis): Promise<string | undefined> {
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

/** What to do about an eviction policy that lets Redis drop BullMQ's keys under memory pressure. */
export function evictionPolicyProblem(policy: string | undefined): string | undefined {
  if (policy === 'noeviction') return undefined;
  return `Redis's maxmemory-policy is ${policy ?? 'unknown'}, but BullMQ needs noeviction: with any other policy Redis may drop queued checks and conversations under memory pressure. Set it with "CONFIG SET maxmemory-policy noeviction" and "maxmemory-policy noeviction" in redis.conf (or your provider's parameter group).`;
}
