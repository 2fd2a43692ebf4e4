import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConversationStore } from '../../src/conversations/store.ts';
import type { TurnEvent } from '../../src/conversations/turn-events.ts';
import type { TranscriptEntry } from '../../src/core/types.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedis } from '../../src/queue/redis.ts';
import { ReviewInbox } from '../../src/review/inbox.ts';
import { ReviewRecorder } from '../../src/review/recorder.ts';
import { deleteKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { turnEvent } from '../helpers/turn-event.ts';

const prefix = uniquePrefix('review-recorder');
const redis = createRedis(REDIS_URL, 2_000);
const store = new ConversationStore(redis, { prefix });
const inbox = new ReviewInbox(redis, prefix);
const recorder = new ReviewRecorder({ inbox, store, redis, prefix, logger: createLogger('silent') });
afterAll(async () => {
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

let conversationId: string;
beforeEach(() => {
  conversationId = store.newState(null).id;
});

const entry = (role: TranscriptEntry['role'], text: string, turnId: string): TranscriptEntry =>
  ({ id: `${turnId}-${role}`, role, text, turnId, createdAt: new Date().toISOString() }) as TranscriptEntry;

/** A turn as the engine tells it: the customer's words and the bot's answer saved, then the event. */
async function turn(turnId: string, text: string, answer: string, event: Partial<TurnEvent>): Promise<void> {
  await store.append(conversationId, [entry('customer', text, turnId), entry('bot', answer, turnId)]);
  await tell(turnId, text, event);
}

/** Tells the recorder of a saved turn, and waits for what it does after. */
async function tell(turnId: string, text: string, event: Partial<TurnEvent>): Promise<void> {
  recorder.turnEnded(turnEvent({ conversationId, turnId, text, ...event }));
  await recorder.idle();
}

const itemsOf = async () =>
  (await inbox.list('all', 100)).filter((item) => item.conversationId === conversationId);

describe('ReviewRecorder', () => {
  it('keeps the message a clarification was about, as the bot read it then', async () => {
    await turn('t_1', 'the balance thing is broken', 'Is it about A or B?', {
      intent: 'out_of_scope',
      confidence: 0.41,
      clarificationAsked: true,
    });
    await turn('t_2', 'the first', 'Here is A.', {
      intent: 'explain_suspension',
      confidence: 1,
      clarificationAnswered: true,
    });
    const [item, ...others] = await itemsOf();
    expect(others).toEqual([]);
    expect(item).toMatchObject({
      reason: 'clarified',
      text: 'the balance thing is broken',
      reading: { intent: 'out_of_scope', confidence: 0.41, reader: 'local' },
    });
    expect(item?.context.map((e) => e.text)).toEqual([
      'the balance thing is broken',
      'Is it about A or B?',
      'the first',
      'Here is A.',
    ]);
  });

  it('keeps an answered request read with low confidence, not small talk or a sure reading', async () => {
    await turn('t_1', 'hey there', 'Hello!', { intent: 'greeting', confidence: 0.3 });
    await turn('t_2', 'what does it cost me', 'It is free.', { intent: 'pricing', confidence: 0.95 });
    await turn('t_3', 'money on labels how', 'It is free.', {
      intent: 'pricing',
      confidence: 0.52,
      reader: 'model',
    });
    await turn('t_4', 'still there?', 'Support has it.', {
      intent: 'pricing',
      confidence: 0.2,
      duringHandoff: true,
    });
    const items = await itemsOf();
    expect(items.map((item) => [item.reason, item.text, item.reading.reader])).toEqual([
      ['low_confidence', 'money on labels how', 'model'],
    ]);
  });

  it('adds the answer rated "did not solve it", once for its turn however often it is told', async () => {
    await turn(
      't_1',
      'my card 4111 1111 1111 1111 was declined, why is it suspended',
      'It was a payment issue.',
      {
        intent: 'explain_suspension',
        confidence: 0.55,
        resolved: true,
      },
    );
    await recorder.notSolved({ conversationId, turnId: 't_1' });
    await recorder.notSolved({ conversationId, turnId: 't_1' });
    const items = await itemsOf();
    // The low-confidence item of that turn came first; the rating adds no second one.
    expect(items).toHaveLength(1);
    expect(items[0]?.text).toContain('card ending 1111');
    expect(JSON.stringify(items)).not.toMatch(/4111 1111/);

    await turn('t_2', 'how do I reset my stamps password', 'Like this.', {
      intent: 'reset_stamps_password',
      confidence: 0.97,
      resolved: true,
    });
    await recorder.notSolved({ conversationId, turnId: 't_2' });
    const [rated] = await itemsOf();
    expect(rated).toMatchObject({
      reason: 'not_solved',
      text: 'how do I reset my stamps password',
      reading: { intent: 'reset_stamps_password', confidence: 0.97 },
    });
    expect(await itemsOf()).toHaveLength(2);
  });

  it('adds a miss once, though the turn is told twice (a late turn finished elsewhere)', async () => {
    await turn('t_1', 'my postage wallet got frozen what gives', 'I can only help with ...', {
      intent: 'out_of_scope',
      confidence: 0.99,
      miss: true,
    });
    await tell('t_1', 'my postage wallet got frozen what gives', { intent: 'out_of_scope', miss: true });
    expect((await itemsOf()).map((item) => item.reason)).toEqual(['miss']);
  });
});
