import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationStore } from '../../src/conversations/store.ts';
import { agentMessage, botMessage } from '../../src/core/messages.ts';
import type { AgentMessage, BotMessage, CustomerMessage } from '../../src/core/types.ts';
import { deleteKeysUnder, dumpKeysUnder, REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

const prefix = uniquePrefix('store');
let redis: Redis;
let store: ConversationStore;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
  store = new ConversationStore(redis, { prefix });
});
afterAll(async () => {
  await store.close();
  redis.disconnect();
  await deleteKeysUnder(prefix);
});

const customerSays = (text: string): CustomerMessage => ({
  id: 'm_customer',
  role: 'customer',
  text,
  turnId: 't_1',
  createdAt: new Date().toISOString(),
});

/** A demo account's full number (OB-1001), in the shapes people type it. */
const FULL_NUMBER = /7730[ -]?0100[ -]?17007/;

describe('ConversationStore: secrets never reach Redis or the chat', () => {
  it("keeps the bot's own password instructions whole, and masks a password the customer gives", async () => {
    const state = store.newState({ email: 'pw-changed@demo.test' });
    const instructions = 'On resetting your Stamps.com password: use the "forgot password" link.';
    await store.commit(state, [customerSays('my password: Hunter2!x'), botMessage(instructions)]);
    const transcript = await store.transcript(state.id);
    expect(transcript.map((entry) => entry.text)).toEqual(['my password: [password removed]', instructions]);
  });

  it('stores and publishes a full account number of any role masked to its last 4 digits', async () => {
    const state = store.newState({ email: 'active@demo.test' });
    const published: (BotMessage | AgentMessage)[] = [];
    const unsubscribe = await store.subscribe(state.id, (message) => published.push(message));
    try {
      await store.commit(state, [
        customerSays('my account number is 7730010017007, why is it suspended?'),
        botMessage('I never need your full account number 7730 0100 17007.'),
      ]);
      // An agent's help-desk reply is committed on its own, as the Zendesk webhook does.
      await store.commit(state, [agentMessage('Hi, I checked 7730-0100-17007 for you.')]);
      await expect.poll(() => published.length).toBe(2);
      expect(published.map((message) => message.text)).toEqual([
        'I never need your full account number [account number ending 7007].',
        'Hi, I checked [account number ending 7007] for you.',
      ]);
      const transcript = await store.transcript(state.id);
      expect(transcript[0]?.text).toBe(
        'my account number is [account number ending 7007], why is it suspended?',
      );
      // State, transcript and anything else the conversation keeps: no full number anywhere.
      const everything = await dumpKeysUnder(prefix);
      expect(everything).toContain('[account number ending 7007]');
      expect(everything).not.toMatch(FULL_NUMBER);
    } finally {
      await unsubscribe();
    }
  });

  it('masks entries appended outside a turn as well', async () => {
    const state = store.newState(null);
    await store.commit(state, []);
    await store.append(state.id, [customerSays('card 4242 4242 4242 4242, password: hunter2')]);
    expect((await store.transcript(state.id)).map((entry) => entry.text)).toEqual([
      'card [card ending 4242], password: [password removed]',
    ]);
  });
});
