import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DayCounters } from '../../src/analytics/day-counters.ts';
import { registerRatings } from '../../src/analytics/rating-routes.ts';
import { RatingStore } from '../../src/analytics/ratings.ts';
import { readStats } from '../../src/analytics/stats.ts';
import { ConversationStore } from '../../src/conversations/store.ts';
import { botMessage } from '../../src/core/messages.ts';
import { toHttpError } from '../../src/errors.ts';
import type { Service } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { identityOf } from '../helpers/identity.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { startTestService } from '../helpers/service.ts';

const prefix = uniquePrefix('ratings');
let service: Service;
let redis: Redis;

beforeAll(async () => {
  service = await startTestService(prefix);
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await service.close();
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

// biome-ignore lint/suspicious/noExplicitAny: a JSON reply, read field by field in the assertions
type Body = Record<string, any>;

async function call(path: string, body: unknown): Promise<{ status: number; json: Body }> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Body };
}

/** A signed-in conversation whose answer resolves its topic, and that turn's id. */
async function resolvedAnswer(): Promise<{ id: string; turnId: string }> {
  const email = 'active@demo.test';
  const started = await call('/api/conversations', { email, identity: identityOf(email) });
  const id = started.json.id as string;
  const turn = await call(`/api/conversations/${id}/messages`, { text: 'what plan am I on?' });
  expect(turn.json).toMatchObject({ resolved: true, intent: 'first_class_plan' });
  return { id, turnId: turn.json.turnId as string };
}

describe('POST /api/conversations/:id/rating', () => {
  it('keeps a yes once per turn: a second rating of the turn changes nothing and says so', async () => {
    const { id, turnId } = await resolvedAnswer();
    const first = await call(`/api/conversations/${id}/rating`, { turnId, solved: true });
    expect(first).toEqual({ status: 200, json: { counted: true, solved: true, messages: [] } });
    const again = await call(`/api/conversations/${id}/rating`, { turnId, solved: false });
    expect(again).toEqual({ status: 200, json: { counted: false, solved: true, messages: [] } });
    expect(await redis.hgetall(`${prefix}:ratings:${id}`)).toEqual({ [turnId]: 'yes' });
  });

  it('on a no, offers a person with Yes and No, and the next "yes" is the request for one', async () => {
    const { id, turnId } = await resolvedAnswer();
    const rated = await call(`/api/conversations/${id}/rating`, { turnId, solved: false });
    expect(rated.status).toBe(200);
    expect(rated.json.counted).toBe(true);
    const [offer] = rated.json.messages;
    expect(offer.text).toMatch(/sorry that did not help.*pass you to a person/i);
    expect(offer.choices).toEqual([
      { label: 'Yes', reply: 'yes' },
      { label: 'No', reply: 'no' },
    ]);
    const transcript = (await fetch(`${service.url}/api/conversations/${id}`).then((r) => r.json())) as Body;
    expect(transcript.messages.at(-1)).toMatchObject({ id: offer.id, role: 'bot', text: offer.text });

    const yes = await call(`/api/conversations/${id}/messages`, { text: 'yes' });
    expect(yes.status).toBe(200);
    expect(yes.json.intent).toBe('talk_to_human');
    expect(yes.json.escalation).toMatchObject({ kind: 'ticket' });
  });

  it('counts yes and no in the day counters', async () => {
    const stats = await readStats(new DayCounters(redis, prefix), 1);
    expect(stats.ratings).toEqual({ yes: 1, no: 1, solvedShare: 0.5 });
  });

  it("refuses a rating of another conversation's turn, and of an unknown conversation", async () => {
    const mine = await resolvedAnswer();
    const theirs = await resolvedAnswer();
    const crossed = await call(`/api/conversations/${mine.id}/rating`, {
      turnId: theirs.turnId,
      solved: true,
    });
    expect(crossed.status).toBe(404);
    expect(crossed.json.error.code).toBe('not_found');
    const unknown = await call(`/api/conversations/c_${'0'.repeat(32)}/rating`, {
      turnId: mine.turnId,
      solved: true,
    });
    expect(unknown.status).toBe(404);
    expect(await redis.exists(`${prefix}:ratings:${mine.id}`)).toBe(0);
  });

  it.each([
    [{ solved: true }, /turnId/],
    [{ turnId: 't_1' }, /solved/],
    [{ turnId: 't_1', solved: 'no' }, /solved must be true or false/],
    [{ turnId: 7, solved: true }, /turnId must be a string/],
    [{ turnId: '', solved: true }, /turnId is required/],
    [{ turnId: 't_1', solved: true, note: 'x' }, /note|unrecognized/i],
  ])('answers 400 to %j', async (body, message) => {
    const { id } = await resolvedAnswer();
    const refused = await call(`/api/conversations/${id}/rating`, body);
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('bad_request');
    expect(refused.json.error.message).toMatch(message);
  });
});

describe('the rating route on its own', () => {
  it('tells the review inbox of a no, and counts against the per-address limit', async () => {
    const own = `${prefix}:own`;
    const store = new ConversationStore(redis, { prefix: own });
    const state = store.newState(null);
    const answer = botMessage('Your plan is Standard.');
    await store.commit({ ...state, turns: 1 }, [answer]);
    const told: { conversationId: string; turnId: string }[] = [];
    const app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      const { status, body, headers } = toHttpError(error);
      return reply.status(status).headers(headers).send(body);
    });
    registerRatings(app, {
      store,
      ratings: new RatingStore(redis, own, 60),
      counters: new DayCounters(redis, own),
      notSolvedText: 'Sorry. A person? (yes / no)',
      notSolved: { notSolved: async (rating) => void told.push(rating) },
      logger: createLogger('silent'),
      rateLimit: { redis, prefix: own, perIpPerMinute: 2 },
    });
    const rate = (solved: boolean) =>
      app.inject({
        method: 'POST',
        url: `/api/conversations/${state.id}/rating`,
        payload: { turnId: answer.turnId, solved },
      });
    expect((await rate(false)).statusCode).toBe(200);
    expect(told).toEqual([{ conversationId: state.id, turnId: answer.turnId }]);
    expect((await store.get(state.id))?.personOffered).toBe(true);
    expect((await rate(false)).statusCode).toBe(200);
    // The second was not counted, so the inbox was not told again.
    expect(told).toHaveLength(1);
    const limited = await rate(false);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    await app.close();
  });
});
