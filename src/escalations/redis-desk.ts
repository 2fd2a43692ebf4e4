import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { CreatedTicket, NewTicket, TicketDesk } from './ticket-desk.ts';

/** An escalation kept for agents when no help desk is configured. */
export const storedEscalationSchema = z.object({
  ticketId: z.string(),
  createdAt: z.string(),
  ticket: z.object({
    idempotencyKey: z.string(),
    requester: z.object({ email: z.string() }).nullable(),
    subject: z.string(),
    tags: z.array(z.string()),
    priority: z.enum(['low', 'normal', 'high', 'urgent']),
    internalNote: z.string(),
    externalId: z.string(),
  }),
});
export type StoredEscalation = z.infer<typeof storedEscalationSchema>;

/**
 * Tickets kept in Redis (listed at GET /api/escalations), so the service runs embedded with no
 * help desk. The idempotency key maps to one ticket, atomically.
 */
export class RedisDesk implements TicketDesk {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly baseUrl = '/api/escalations',
  ) {}

  private key(part: string): string {
    return `${this.prefix}:desk:${part}`;
  }

  async createTicket(ticket: NewTicket): Promise<CreatedTicket> {
    const existing = await this.redis.hget(this.key('by-key'), ticket.idempotencyKey);
    if (existing !== null) return { ticketId: existing, url: `${this.baseUrl}/${existing}` };
    const ticketId = `L${await this.redis.incr(this.key('sequence'))}`;
    // Only the first writer of a key wins; a racing duplicate reads the winner's id.
    const won = await this.redis.hsetnx(this.key('by-key'), ticket.idempotencyKey, ticketId);
    if (won === 0) {
      const winner = (await this.redis.hget(this.key('by-key'), ticket.idempotencyKey)) ?? ticketId;
      return { ticketId: winner, url: `${this.baseUrl}/${winner}` };
    }
    const stored: StoredEscalation = { ticketId, createdAt: new Date().toISOString(), ticket };
    await this.redis
      .multi()
      .hset(this.key('tickets'), ticketId, JSON.stringify(stored))
      .rpush(this.key('order'), ticketId)
      .exec();
    return { ticketId, url: `${this.baseUrl}/${ticketId}` };
  }

  /** Every kept escalation, oldest first. */
  async list(): Promise<StoredEscalation[]> {
    const ids = await this.redis.lrange(this.key('order'), '0', '-1');
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.key('tickets'), ...ids);
    return raw.flatMap((value) => (value === null ? [] : [storedEscalationSchema.parse(JSON.parse(value))]));
  }
}
