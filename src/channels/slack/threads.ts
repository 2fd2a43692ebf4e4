import type { Redis } from 'ioredis';
import { z } from 'zod';

const threadSchema = z.object({ conversationId: z.string(), ticketRecordId: z.string() });
const placeSchema = z.object({ channel: z.string(), ts: z.string() });
export type AlertThread = z.infer<typeof threadSchema>;
export type MessagePlace = z.infer<typeof placeSchema>;

/**
 * Which alert thread belongs to which conversation, both ways: an agent's reply in a thread
 * reaches its conversation, and a customer's message during the hand-off reaches the thread.
 * Escalations are also listed by time, for `/onebalance tickets`.
 */
export class AlertThreads {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private get listKey(): string {
    return `${this.prefix}:slack:escalations`;
  }

  async remember(place: MessagePlace, thread: AlertThread): Promise<void> {
    await this.redis
      .multi()
      .set(
        `${this.prefix}:slack:thread:${place.channel}:${place.ts}`,
        JSON.stringify(thread),
        'EX',
        this.ttlSeconds,
      )
      .set(
        `${this.prefix}:slack:conversation:${thread.conversationId}`,
        JSON.stringify(place),
        'EX',
        this.ttlSeconds,
      )
      .zadd(this.listKey, Date.now(), `${thread.conversationId} ${thread.ticketRecordId}`)
      .zremrangebyscore(this.listKey, 0, Date.now() - this.ttlSeconds * 1000)
      .exec();
  }

  async threadAt(place: MessagePlace): Promise<AlertThread | null> {
    return parsed(
      threadSchema,
      await this.redis.get(`${this.prefix}:slack:thread:${place.channel}:${place.ts}`),
    );
  }

  async placeOf(conversationId: string): Promise<MessagePlace | null> {
    return parsed(placeSchema, await this.redis.get(`${this.prefix}:slack:conversation:${conversationId}`));
  }

  /** The newest escalations alerted, newest first. */
  async recent(count = 20): Promise<AlertThread[]> {
    const members = await this.redis.zrevrange(this.listKey, 0, count - 1);
    return members.map((member) => {
      const [conversationId = '', ticketRecordId = ''] = member.split(' ');
      return { conversationId, ticketRecordId };
    });
  }
}

function parsed<T>(schema: z.ZodType<T>, raw: string | null): T | null {
  if (raw === null) return null;
  try {
    const result = schema.safeParse(JSON.parse(raw));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
