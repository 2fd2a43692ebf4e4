import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { limitedBy, perAddress, RateLimiter } from '../channels/web/rate-limit.ts';
import type { ConversationStore } from '../conversations/store.ts';
import { ErrorCode, RequestError } from '../errors.ts';
import { parseRequest as parse } from '../http/parse-request.ts';
import type { Logger } from '../logger.ts';
import type { NotSolvedSink } from '../review/sink.ts';
import type { DayCounters } from './day-counters.ts';
import { offerPersonAfterNo, type RatingStore } from './ratings.ts';

export interface RatingOptions {
  store: ConversationStore;
  ratings: RatingStore;
  counters: DayCounters;
  /** The bot's offer of a person after a "no" (intents/talk_to_human.yaml, `rating_not_solved`). */
  notSolvedText: string;
  /** The review inbox, told of every "no" (optional: the rating stands without it). */
  notSolved?: NotSolvedSink;
  logger: Logger;
  /** The chat's per-address limit: the same counter, in Redis. */
  rateLimit: { redis: Redis; prefix: string; perIpPerMinute: number };
}

const params = z.object({ id: z.string().max(64) });
const ratingBody = z.strictObject({
  turnId: z.string({ error: 'turnId must be a string' }).min(1, 'turnId is required').max(64),
  solved: z.boolean({ error: 'solved must be true or false' }),
});

/**
 * POST /api/conversations/:id/rating { turnId, solved }: the customer's answer to "Did this solve
 * it?" about one of the bot's answers in this conversation. Kept once per turn: a second rating of
 * the same turn changes nothing and answers 200 with `counted: false` and the rating that stands
 * (a double click is not an error). A "no" offers a person (the bot's message is in `messages`, and
 * reaches open chats as any bot message does).
 */
export function registerRatings(app: FastifyInstance, options: RatingOptions): void {
  const { store, ratings, counters, logger } = options;
  const limiter = new RateLimiter(options.rateLimit.redis, options.rateLimit.prefix);
  const perIp = limitedBy(limiter, perAddress(options.rateLimit.perIpPerMinute));
  app.post('/api/conversations/:id/rating', { preHandler: [perIp] }, async (request) => {
    const { id } = parse(params, request.params);
    const { turnId, solved } = parse(ratingBody, request.body);
    if ((await store.get(id)) === null) throw new RequestError(ErrorCode.NotFound, `No conversation ${id}`);
    // Only a turn the bot answered in this very conversation can be rated.
    const transcript = await store.transcript(id);
    if (!transcript.some((entry) => entry.turnId === turnId && entry.role === 'bot'))
      throw new RequestError(ErrorCode.NotFound, `No answer ${turnId} in conversation ${id}`);
    const rating = await ratings.keep(id, turnId, solved);
    if (!rating.kept) return { counted: false, solved: rating.solved, messages: [] };
    await counters.recordRating(solved);
    if (solved) return { counted: true, solved, messages: [] };
    const messages = await offerPersonAfterNo(store, id, options.notSolvedText);
    await options.notSolved?.notSolved({ conversationId: id, turnId }).catch((error: unknown) => {
      logger.warn({ err: { message: String(error) } }, 'review inbox not told of a "no" rating');
    });
    return {
      counted: true,
      solved,
      messages: messages.map(({ id: messageId, role, text, createdAt, choices }) => ({
        id: messageId,
        role,
        text,
        createdAt,
        ...(choices ? { choices } : {}),
      })),
    };
  });
}
