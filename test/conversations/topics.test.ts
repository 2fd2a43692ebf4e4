import { describe, expect, it } from 'vitest';
import { type Turn, useChatService } from '../helpers/chat-api.ts';
import { identityOf } from '../helpers/identity.ts';

/**
 * The topics' own questions of intents/dialogue/topics.yaml and what intents/dialogue/signals.yaml
 * reads beside a topic, through the HTTP API, in paraphrases no other test uses (this file is not
 * part of the golden transcripts).
 */
const { service: serviceOf, post } = useChatService('topics');

const startAs = async (email?: string) =>
  (await post('/api/conversations', email === undefined ? {} : { email, identity: identityOf(email) }))
    .id as string;
const say = async (id: string, text: string) =>
  (await post(`/api/conversations/${id}/messages`, { text })) as unknown as Turn;
const textOf = (turn: Turn) => turn.messages.map((message) => message.text).join('\n');

describe("the topics' own questions", () => {
  it('answers "and UPS?" after the prices with the sentences that name UPS, not the whole answer', async () => {
    const id = await startAs();
    await say(id, 'how much does one balance cost?');
    const ups = await say(id, 'and UPS?');
    expect(ups.intent).toBe('pricing');
    expect(textOf(ups)).toMatch(/^From what I told you about .*62% off UPS/s);
    expect(textOf(ups)).not.toMatch(/Endicia/);
  });

  it('answers a phone verification question in words of its own after the registration troubleshooting', async () => {
    const id = await startAs('regfail@demo.test');
    await say(id, 'i cant finish registering, the code never arrives');
    const landline = await say(id, "my phone can't receive sms, what now?");
    expect(textOf(landline)).toMatch(/verify by phone call instead of text/);
    expect(landline.escalation).toBeNull();
  });

  it('keeps a visitor\'s "which card do I use?" after the opening steps about the form', async () => {
    const id = await startAs();
    await say(id, 'how do i open a one balance account');
    const card = await say(id, 'which card should go in the form?');
    expect(card.intent).toBe('open_account');
    expect(textOf(card)).toMatch(/pays for the postage you buy/);
  });
});

describe('what a message says besides its topic', () => {
  it("reads a store's name as no topic: the rest of the message is the suspension check", async () => {
    serviceOf().runtime.accounts?.embedded?.reset();
    const id = await startAs('declined@demo.test');
    const turn = await say(id, 'my etsy labels wont go through, account suspended');
    expect(turn.intent).toBe('explain_suspension');
    expect(textOf(turn)).toMatch(/payment was declined/);
  });

  it('meets a visitor in a hurry with what to tell, not the list of topics', async () => {
    const turn = await say(await startAs(), 'please be quick, my buyers are waiting');
    expect(textOf(turn)).toMatch(/^I understand it is urgent/);
  });

  it('answers what the customer will try with nothing to misunderstand', async () => {
    const id = await startAs('active@demo.test');
    await say(id, 'how do i log into one balance');
    const turn = await say(id, "i'll give that a go now");
    expect(textOf(turn)).toMatch(/let me know how it goes/);
  });
});
