import type { Redis } from 'ioredis';
import { amendConversation } from '../channels/slack/jobs/amend.ts';
import type { ConversationState, ConversationStore } from '../conversations/store.ts';
import { botMessage, YES_OR_NO } from '../core/messages.ts';
import type { BotMessage } from '../core/types.ts';

/**
 * Customers' answers to "Did this solve it?": one per turn of a conversation, kept beside the
 * conversation (a hash of turn id to yes/no) for as long as conversations are kept.
 */
export class RatingStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private keyOf(conversationId: string): string {
    return `${this.prefix}:ratings:${conversationId}`;
  }

  /**
   * Keeps the rating unless the turn has one: the first stands. Returns whether this one was kept,
   * and the rating the turn now has.
   */
  async keep(
    conversationId: string,
    turnId: string,
    solved: boolean,
  ): Promise<{ kept: boolean; solved: boolean }> {
    const key = this.keyOf(conversationId);
    const value = solved ? 'yes' : 'no';
    const [set] = await Promise.all([
      this.redis.hsetnx(key, turnId, value),
      this.redis.expire(key, this.ttlSeconds),
    ]);
    if (set === 1) return { kept: true, solved };
    return { kept: false, solved: (await this.redis.hget(key, turnId)) === 'yes' };
  }
}

/**
 * After a "no": the bot offers a person, in a message of its own committed under the
 * conversation's lock, and remembers the offer (`personOffered`) so that the next "yes" is taken as
 * the request for one. Nothing is offered while support already has the conversation (a hand-off,
 * or a ticket open): the person there sees the rating. Returns the message said, if any.
 */
export async function offerPersonAfterNo(
  store: ConversationStore,
  conversationId: string,
  offerText: string,
): Promise<BotMessage[]> {
  const said: BotMessage[] = [];
  await amendConversation(store, conversationId, (state) => {
    if (supportHasIt(state)) return undefined;
    const message = botMessage(offerText, undefined, YES_OR_NO);
    said.push(message);
    return { next: { ...state, personOffered: true }, messages: [message] };
  });
  return said;
}

function supportHasIt(state: ConversationState): boolean {
  return state.handoff !== undefined || state.tickets.some((ticket) => !ticket.handoff);
}
