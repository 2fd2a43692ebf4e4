import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  type CommentOutcome,
  type CreatedTicket,
  type FollowUpTicket,
  type InternalNote,
  type NewTicket,
  type RequesterComment,
  type TicketDesk,
  TicketNotFoundError,
} from './ticket-desk.ts';

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

/** A customer's comment on a kept ticket (the hand-off sync), or an internal note for agents. */
export const storedCommentSchema = z.object({ key: z.string(), body: z.string(), createdAt: z.string() });
export type StoredComment = z.infer<typeof storedCommentSchema>;

/**
 * Adds a comment once per key, atomically: `missing` for no such ticket, `added` when the key was
 * seen before (even if the ticket was closed since) or the comment is added now, `closed` otherwise.
 */
const ADD_COMMENT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 'missing' end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return 'added' end
if redis.call('HGET', KEYS[2], ARGV[1]) == 'closed' then return 'closed' end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
redis.call('RPUSH', KEYS[4], ARGV[3])
return 'added'`;

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

  addRequesterComment(comment: RequesterComment): Promise<CommentOutcome> {
    return this.addOnce('comment', comment);
  }

  /** Kept apart from the customer's comments (`notes`), with keys of their own. */
  addInternalNote(note: InternalNote): Promise<CommentOutcome> {
    return this.addOnce('note', note);
  }

  private async addOnce(
    kind: 'comment' | 'note',
    { ticketId, body, idempotencyKey }: { ticketId: string; body: string; idempotencyKey: string },
  ): Promise<CommentOutcome> {
    const stored: StoredComment = { key: idempotencyKey, body, createdAt: new Date().toISOString() };
    const outcome = await this.redis.eval(
      ADD_COMMENT,
      4,
      this.key('tickets'),
      this.key('status'),
      this.key(`${kind}-keys`),
      this.key(`${kind}s:${ticketId}`),
      ticketId,
      idempotencyKey,
      JSON.stringify(stored),
    );
    if (outcome === 'missing') throw new TicketNotFoundError(ticketId);
    return outcome === 'closed' ? { status: 'closed' } : { status: 'added' };
  }

  /** A ticket of its own with the closed one's requester, subject and tags, and the comment as its first. */
  async createFollowUp(followUp: FollowUpTicket): Promise<CreatedTicket> {
    const raw = await this.redis.hget(this.key('tickets'), followUp.sourceTicketId);
    if (raw === null) throw new TicketNotFoundError(followUp.sourceTicketId);
    const source = storedEscalationSchema.parse(JSON.parse(raw)).ticket;
    // Both steps are idempotent: a retry after a crash between them finishes the same ticket.
    const created = await this.createTicket({
      ...source,
      idempotencyKey: followUp.idempotencyKey,
      internalNote: `Follow-up of closed ticket ${followUp.sourceTicketId}.`,
      externalId: followUp.idempotencyKey,
    });
    await this.addRequesterComment({
      ticketId: created.ticketId,
      body: followUp.body,
      idempotencyKey: `${followUp.idempotencyKey}:first`,
      mayExist: true,
    });
    return created;
  }

  /** Closes a kept ticket: it takes no more comments (what an agent or a test does). */
  async close(ticketId: string): Promise<void> {
    await this.redis.hset(this.key('status'), ticketId, 'closed');
  }

  /** A kept ticket's comments from the customer, oldest first. */
  comments(ticketId: string): Promise<StoredComment[]> {
    return this.listOf(`comments:${ticketId}`);
  }

  /** A kept ticket's internal notes, oldest first. */
  notes(ticketId: string): Promise<StoredComment[]> {
    return this.listOf(`notes:${ticketId}`);
  }

  private async listOf(part: string): Promise<StoredComment[]> {
    const raw = await this.redis.lrange(this.key(part), '0', '-1');
    return raw.map((line) => storedCommentSchema.parse(JSON.parse(line)));
  }

  /** Every kept escalation, oldest first. */
  async list(): Promise<StoredEscalation[]> {
    const ids = await this.redis.lrange(this.key('order'), '0', '-1');
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.key('tickets'), ...ids);
    return raw.flatMap((value) => (value === null ? [] : [storedEscalationSchema.parse(JSON.parse(value))]));
  }
}
