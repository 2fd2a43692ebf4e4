import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** One comment's worth of a customer's messages on its way to a ticket: ids only, never the text. */
export const syncBatchSchema = z.object({
  /** The comment's idempotency key (`<conversation id>-<n>`), fixed before its first attempt. */
  key: z.string().min(1),
  /** The ticket record whose ticket takes the comment, and that ticket. */
  recordId: z.string().min(1),
  ticketId: z.string().min(1),
  /** The customer messages it carries, as the transcript names them, in the order typed. */
  messageIds: z.array(z.string().min(1)).min(1),
});
export type SyncBatch = z.infer<typeof syncBatchSchema>;

/** What a conversation's sync stands at. */
export interface SyncProgress {
  /** Messages waiting for their ticket: message id to the ticket record of the hand-off they were typed in. */
  waiting: Map<string, string>;
  /** Messages already on their ticket (or given up on). */
  synced: Set<string>;
  /** The batch being sent, if one was begun and not completed (its sender may have died). */
  inflight: SyncBatch | null;
}

/**
 * How long the bot's own synced comment is recognised when the webhook reports it back. Zendesk
 * sends a trigger's webhook within seconds and retries a failed one for minutes, not hours.
 */
const ECHO_SECONDS = 3_600;

const WAIT = `
if redis.call('sismember', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2])
redis.call('expire', KEYS[1], ARGV[3])
return 1`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** The text as compared for echoes: Zendesk may re-wrap lines or trim, never change words. */
function fingerprint(body: string): string {
  return createHash('sha256').update(body.replace(/\s+/g, ' ').trim()).digest('hex');
}

/**
 * The hand-off sync's bookkeeping in Redis, per conversation (`<prefix>:hsync:<conversation>:*`):
 * the messages waiting for their ticket, those synced, the batch in flight, a lock so that one
 * worker at a time sends a conversation's comments, and the fingerprints of the comments it sent.
 */
export class HandoffLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** As long as the conversation is kept. */
    private readonly ttlSeconds: number,
  ) {}

  private key(conversationId: string, part: string): string {
    return `${this.prefix}:hsync:${conversationId}:${part}`;
  }

  /**
   * A customer message typed while the hand-off of `ticketRecordId` held the conversation; told
   * again (a repeated request), a message waiting or synced already is left as it is.
   */
  async wait(conversationId: string, messageId: string, ticketRecordId: string): Promise<void> {
    await this.redis.eval(
      WAIT,
      2,
      this.key(conversationId, 'waiting'),
      this.key(conversationId, 'synced'),
      messageId,
      ticketRecordId,
      this.ttlSeconds,
    );
  }

  async progress(conversationId: string): Promise<SyncProgress> {
    const [waiting, synced, inflight] = await Promise.all([
      this.redis.hgetall(this.key(conversationId, 'waiting')),
      this.redis.smembers(this.key(conversationId, 'synced')),
      this.redis.get(this.key(conversationId, 'inflight')),
    ]);
    return {
      waiting: new Map(Object.entries(waiting)),
      synced: new Set(synced),
      inflight: inflight === null ? null : syncBatchSchema.parse(JSON.parse(inflight)),
    };
  }

  /** A new batch's idempotency key: never used before in this conversation. */
  async nextBatchKey(conversationId: string): Promise<string> {
    const sequence = this.key(conversationId, 'sequence');
    const [[, n]] = (await this.redis.multi().incr(sequence).expire(sequence, this.ttlSeconds).exec()) as [
      [unknown, number],
    ];
    return `${conversationId}-${n}`;
  }

  /** Records the batch before it is sent, so that whoever runs next finishes this one first. */
  async begin(conversationId: string, batch: SyncBatch): Promise<void> {
    await this.redis.set(this.key(conversationId, 'inflight'), JSON.stringify(batch), 'EX', this.ttlSeconds);
  }

  /** The batch is on its ticket: its messages are synced, none waits, nothing is in flight. */
  async complete(conversationId: string, batch: SyncBatch): Promise<void> {
    await this.settle(conversationId, batch.messageIds, true);
  }

  /** Messages no ticket can take (their ticket record is gone): they stop waiting. */
  async letGo(conversationId: string, messageIds: readonly string[]): Promise<void> {
    await this.settle(conversationId, messageIds, false);
  }

  private async settle(
    conversationId: string,
    messageIds: readonly string[],
    inflight: boolean,
  ): Promise<void> {
    const synced = this.key(conversationId, 'synced');
    const transaction = this.redis
      .multi()
      .sadd(synced, ...messageIds)
      .expire(synced, this.ttlSeconds)
      .hdel(this.key(conversationId, 'waiting'), ...messageIds);
    if (inflight) transaction.del(this.key(conversationId, 'inflight'));
    await transaction.exec();
  }

  /** Takes the conversation's sync lock for `ms`; null while another worker holds it. */
  async lock(conversationId: string, ms: number): Promise<string | null> {
    const token = randomUUID();
    const taken = await this.redis.set(this.key(conversationId, 'lock'), token, 'PX', ms, 'NX');
    return taken === 'OK' ? token : null;
  }

  /** Keeps the lock another `ms`; false when it was lost (it lapsed and another worker took it). */
  async extend(conversationId: string, token: string, ms: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND, 1, this.key(conversationId, 'lock'), token, ms)) === 1;
  }

  async unlock(conversationId: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(conversationId, 'lock'), token);
  }

  /** A comment the bot is about to add for the customer: the webhook must not relay it back. */
  async expectEcho(conversationId: string, body: string): Promise<void> {
    await this.redis.set(this.key(conversationId, `echo:${fingerprint(body)}`), '1', 'EX', ECHO_SECONDS);
  }

  /** Whether a public comment reported on a ticket of the conversation is one the bot added. */
  async isEcho(conversationId: string, body: string): Promise<boolean> {
    return (await this.redis.exists(this.key(conversationId, `echo:${fingerprint(body)}`))) === 1;
  }
}
