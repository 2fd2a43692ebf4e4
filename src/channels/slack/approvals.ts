import type { Redis } from 'ioredis';
import { z } from 'zod';

/** A customer's reconnect request, waiting for an agent in Slack (or decided there). */
export const approvalSchema = z.object({
  /** The escalation's ticket record id: one approval per reconnect request the bot filed. */
  id: z.string(),
  conversationId: z.string(),
  accountId: z.string(),
  accountLast4: z.string(),
  /** The backend's reconnect request id. */
  requestId: z.string(),
  email: z.string().nullable(),
  createdAt: z.string(),
  /** Where its message is, once posted. */
  message: z.object({ channel: z.string(), ts: z.string() }).optional(),
  status: z.enum(['pending', 'approved', 'denied']),
  decidedBy: z.string().optional(),
  decidedAt: z.string().optional(),
  reason: z.string().optional(),
});
export type Approval = z.infer<typeof approvalSchema>;

export type Decision = 'approve' | 'deny';
export interface DecisionClaim {
  decision: Decision;
  by: string;
  at: string;
}

const KEEP_SECONDS = 30 * 86_400;

/**
 * Reconnect approvals in Redis. A decision is claimed with SET NX before anything acts on it, so a
 * double click, or two agents at once, make exactly one decision; the loser learns who won.
 */
export class ReconnectApprovals {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:slack:approval:${id}`;
  }
  private get pendingKey(): string {
    return `${this.prefix}:slack:approvals:pending`;
  }

  async get(id: string): Promise<Approval | null> {
    const raw = await this.redis.get(this.key(id));
    if (raw === null) return null;
    const parsed = approvalSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  async save(approval: Approval): Promise<void> {
    const multi = this.redis.multi().set(this.key(approval.id), JSON.stringify(approval), 'EX', KEEP_SECONDS);
    if (approval.status === 'pending')
      multi.zadd(this.pendingKey, String(Date.parse(approval.createdAt)), approval.id);
    else multi.zrem(this.pendingKey, approval.id);
    await multi.exec();
  }

  /** The oldest `count` approvals still waiting. */
  async pending(count = 20): Promise<Approval[]> {
    const ids = await this.redis.zrange(this.pendingKey, '0', String(count - 1));
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter(
      (approval): approval is Approval => approval !== null && approval.status === 'pending',
    );
  }

  /** Takes the decision, unless somebody already has: then their claim comes back. */
  async claim(
    id: string,
    claim: DecisionClaim,
  ): Promise<{ won: true } | { won: false; earlier: DecisionClaim }> {
    const key = `${this.prefix}:slack:decision:${id}`;
    const set = await this.redis.set(key, JSON.stringify(claim), 'EX', KEEP_SECONDS, 'NX');
    if (set === 'OK') return { won: true };
    const earlier = await this.redis.get(key);
    return { won: false, earlier: earlier === null ? claim : (JSON.parse(earlier) as DecisionClaim) };
  }

  /** Gives a decision's claim back (the backend refused it): the next click may decide. */
  async release(id: string): Promise<void> {
    await this.redis.del(`${this.prefix}:slack:decision:${id}`);
  }

  /**
   * True the first time a step of an approval is taken (telling the customer, posting): a re-run
   * of its job skips what was done. `undo` gives the step back when it failed after all.
   */
  async once(id: string, step: string): Promise<{ first: boolean; undo(): Promise<void> }> {
    const key = `${this.prefix}:slack:once:${step}:${id}`;
    const first = (await this.redis.set(key, '1', 'EX', KEEP_SECONDS, 'NX')) === 'OK';
    return { first, undo: async () => void (await this.redis.del(key)) };
  }
}
