import { describe, expect, it } from 'vitest';
import { demoCanaries } from '../../../src/accounts/reference/demo-accounts.ts';
import type { SlackMessage } from '../../fakes/slack.ts';
import { blockAction, eventCallback } from '../../helpers/slack-requests.ts';
import { AGENT, CHANNEL, eventually, OUTSIDER, useSlackService } from './setup.ts';

const slack = useSlackService('slack-thr');

async function transcriptOf(conversationId: string): Promise<{ role: string; text: string }[]> {
  const response = await fetch(`${slack.service().url}/api/conversations/${conversationId}`);
  return ((await response.json()) as { messages: { role: string; text: string }[] }).messages;
}

async function alertFor(conversationId: string): Promise<SlackMessage> {
  return slack
    .fake()
    .waitForMessage(
      (message) =>
        message.channel === CHANNEL &&
        !message.thread_ts &&
        JSON.stringify(message.blocks ?? []).includes(conversationId),
      15_000,
    );
}

function threadReply(alert: SlackMessage, user: string, text: string, eventId: string) {
  return eventCallback({
    eventId,
    event: {
      type: 'message',
      channel: CHANNEL,
      channel_type: 'channel',
      user,
      text,
      ts: `${Date.now() / 1000}`,
      thread_ts: alert.ts,
    },
  });
}

describe('escalation alerts and their threads', () => {
  it('alerts the agents of a hand-off with the diagnosis, escaped customer words and a Hand back button', async () => {
    const id = await slack.startAs('active@demo.test');
    await slack.say(id, 'hey <!channel> my card is 4111 1111 1111 1111');
    await slack.say(id, 'I want to talk to a real person');
    const alert = await alertFor(id);
    expect(alert.text).toMatch(/Hand-off/);
    const shown = JSON.stringify(alert.blocks);
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('4111 1111 1111 1111');
    expect(shown).toContain('"action_id":"handback"');
    for (const canary of demoCanaries()) expect(slack.fake().allText()).not.toContain(canary);
  });

  it("relays an agent's thread reply into the chat, customer messages into the thread, and hands back", async () => {
    const id = await slack.startAs('pw-changed@demo.test');
    await slack.say(id, 'please get me a human');
    const alert = await alertFor(id);
    const reply = await slack.send(
      threadReply(alert, AGENT, 'Hi, this is Dana from support &amp; I am looking at it', 'Ev0001'),
    );
    expect(reply.status).toBe(200);
    const relayed = await eventually(
      async () => (await transcriptOf(id)).find((entry) => entry.role === 'agent'),
      'the agent reply in the chat',
    );
    expect(relayed.text).toBe('Hi, this is Dana from support & I am looking at it');
    // Slack's retry of the same event is applied once.
    await slack.send(
      threadReply(alert, AGENT, 'Hi, this is Dana from support &amp; I am looking at it', 'Ev0001'),
      { retryNum: 1 },
    );
    // The customer's next message reaches the thread, and the bot does not chat meanwhile.
    const during = await slack.say(id, 'thanks, my labels still fail <@U0AGENT1>');
    expect(during.intent).toBe('handed_off');
    const inThread = await slack
      .fake()
      .waitForMessage((message) => message.thread_ts === alert.ts && /labels still fail/.test(message.text));
    expect(inThread.text).toContain('&lt;@U0AGENT1&gt;');
    expect((await transcriptOf(id)).filter((entry) => entry.role === 'agent')).toHaveLength(1);
    // Hand back from the alert's button.
    const back = await slack.send(
      blockAction({
        actionId: 'handback',
        value: id,
        userId: AGENT,
        channelId: CHANNEL,
        messageTs: alert.ts,
        responseUrl: slack.fake().responseUrl('back'),
      }),
    );
    expect(back.status).toBe(200);
    await eventually(
      async () => (await transcriptOf(id)).at(-1)?.role === 'bot' || undefined,
      'the hand-back notice',
    );
    const after = await slack.say(id, 'what is my account number?');
    expect(after.intent).not.toBe('handed_off');
  });

  it('does not relay a thread reply of somebody who is not an agent', async () => {
    const id = await slack.startAs('hold@demo.test');
    await slack.say(id, 'I want to talk to a real person');
    const alert = await alertFor(id);
    await slack.send(threadReply(alert, OUTSIDER, 'I am not support but hello', 'Ev0002'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await transcriptOf(id)).some((entry) => entry.role === 'agent')).toBe(false);
  });
});
