import { beforeAll, describe, expect, it } from 'vitest';
import { demoCanaries } from '../../../src/accounts/reference/demo-accounts.ts';
import { ReconnectApprovals } from '../../../src/channels/slack/approvals.ts';
import { createRedis } from '../../../src/queue/redis.ts';
import type { SlackMessage } from '../../fakes/slack.ts';
import { REDIS_URL } from '../../helpers/redis.ts';
import { blockAction, viewSubmission } from '../../helpers/slack-requests.ts';
import { AGENT, CHANNEL, eventually, GROUP_AGENT, OUTSIDER, useSlackService } from './setup.ts';

const slack = useSlackService('slack-appr');

/** The approval message of a conversation's reconnect request, once the worker has posted it. */
async function approvalMessageFor(conversationId: string): Promise<SlackMessage> {
  return slack
    .fake()
    .waitForMessage(
      (message) =>
        message.channel === CHANNEL &&
        JSON.stringify(message.blocks ?? []).includes(conversationId) &&
        /Reconnect request/.test(message.text),
      15_000,
    );
}

/** The value its buttons carry: the approval's id. */
function approvalIdOf(message: SlackMessage): string {
  const actions = (message.blocks ?? []).find((block) => (block as { type: string }).type === 'actions') as
    | { elements: { value: string; action_id: string }[] }
    | undefined;
  const approve = actions?.elements.find((element) => element.action_id === 'reconnect_approve');
  if (approve === undefined) throw new Error('no Approve button');
  return approve.value;
}

async function transcriptOf(conversationId: string): Promise<{ role: string; text: string }[]> {
  const response = await fetch(`${slack.service().url}/api/conversations/${conversationId}`);
  const body = (await response.json()) as { messages: { role: string; text: string }[] };
  return body.messages;
}

async function click(
  actionId: string,
  value: string,
  userId: string,
  message: SlackMessage,
  responseId: string,
) {
  const response = await slack.send(
    blockAction({
      actionId,
      value,
      userId,
      messageTs: message.ts,
      channelId: CHANNEL,
      responseUrl: slack.fake().responseUrl(responseId),
    }),
  );
  expect(response.status).toBe(200);
}

async function requestReconnect(): Promise<string> {
  const id = await slack.startAs('disconnected@demo.test');
  await slack.say(id, 'my one balance account is not showing in the app');
  const turn = await slack.say(id, 'yes please');
  expect(turn.messages.map((message) => message.text).join(' ')).toMatch(/Customer Success/);
  return id;
}

describe('reconnect approvals in Slack', () => {
  // The demo account has one connection: once a request is approved it is connected, and a new
  // conversation would find nothing to reconnect. So every test's request is filed first.
  const requests: string[] = [];
  beforeAll(async () => {
    for (let index = 0; index < 5; index += 1) requests.push(await requestReconnect());
  });
  it("goes from the customer's yes to an Approve click to the customer's confirmation", async () => {
    const conversationId = requests.shift() ?? '';
    const message = await approvalMessageFor(conversationId);
    expect(message.text).toMatch(/OB-1006/);
    await click('reconnect_approve', approvalIdOf(message), AGENT, message, 'approve-1');
    const confirmation = await eventually(async () => {
      const messages = await transcriptOf(conversationId);
      return messages.find(
        (entry) => entry.role === 'bot' && /approved your reconnect request/.test(entry.text),
      );
    }, 'the customer told');
    expect(confirmation.text).toMatch(/connected to your store again/);
    const updated = await eventually(
      () =>
        slack
          .fake()
          .messages.find((each) => each.ts === message.ts && /Approved by <@U0AGENT1>/.test(each.text)),
      'the Slack message updated',
    );
    expect(updated.updates).toBe(1);
    // The account is connected now: the customer's next question finds it so.
    const after = await slack.say(conversationId, 'is my one balance account connected now?');
    expect(after.messages.map((each) => each.text).join(' ')).not.toMatch(/not connected/);
    for (const canary of demoCanaries()) expect(slack.fake().allText()).not.toContain(canary);
  });

  it('makes exactly one decision of a double click and two agents at once; the loser is told who decided', async () => {
    const conversationId = requests.shift() ?? '';
    const message = await approvalMessageFor(conversationId);
    const approvalId = approvalIdOf(message);
    await Promise.all([
      click('reconnect_approve', approvalId, AGENT, message, 'double-a'),
      click('reconnect_approve', approvalId, AGENT, message, 'double-b'),
      click('reconnect_approve', approvalId, GROUP_AGENT, message, 'double-c'),
    ]);
    const told = await eventually(async () => {
      const found = (await transcriptOf(conversationId)).filter((entry) =>
        /approved your reconnect request/.test(entry.text),
      );
      return found.length > 0 ? found : undefined;
    }, 'the customer told');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(
      (await transcriptOf(conversationId)).filter((entry) =>
        /approved your reconnect request/.test(entry.text),
      ),
    ).toHaveLength(told.length);
    expect(told).toHaveLength(1);
    const losers = ['double-a', 'double-b', 'double-c'].flatMap((id) => slack.fake().responses(id));
    expect(losers).toHaveLength(2);
    for (const loser of losers) expect(String(loser.body.text)).toMatch(/Already approved by <@U0AGENT[12]>/);
  });

  it('refuses a click by somebody who is not an agent, and still acknowledges it', async () => {
    const conversationId = requests.shift() ?? '';
    const message = await approvalMessageFor(conversationId);
    await click('reconnect_approve', approvalIdOf(message), OUTSIDER, message, 'outsider');
    const [refusal] = await eventually(() => {
      const found = slack.fake().responses('outsider');
      return found.length > 0 ? found : undefined;
    }, 'the refusal');
    expect(String(refusal?.body.text)).toMatch(/Only One Balance support agents/);
    expect(slack.fake().messages.find((each) => each.ts === message.ts)?.updates).toBe(0);
  });

  it('denies with a reason from a modal, and tells the customer a person will follow up', async () => {
    const conversationId = requests.shift() ?? '';
    const message = await approvalMessageFor(conversationId);
    const approvalId = approvalIdOf(message);
    await click('reconnect_deny', approvalId, AGENT, message, 'deny');
    const view = await eventually(
      () => slack.fake().views.find((each) => each.view.private_metadata === approvalId),
      'the modal',
    );
    expect(view.view.callback_id).toBe('reconnect_deny_reason');
    const submitted = await slack.send(
      viewSubmission({
        callbackId: 'reconnect_deny_reason',
        privateMetadata: approvalId,
        values: { reason: { reason: 'Store <!channel> is closed & archived' } },
        userId: AGENT,
      }),
    );
    expect(submitted.status).toBe(200);
    await eventually(async () => {
      const messages = await transcriptOf(conversationId);
      return messages.find((entry) => entry.role === 'bot' && /will contact you/.test(entry.text));
    }, 'the customer told');
    const updated = await eventually(
      () => slack.fake().messages.find((each) => each.ts === message.ts && /Denied by/.test(each.text)),
      'the Slack message updated',
    );
    expect(updated.text).toContain('Store &lt;!channel&gt; is closed &amp; archived');
  });

  it("shows the account backend's refusal on the message, tells the customer nothing, and lets an agent decide again", async () => {
    const conversationId = requests.shift() ?? '';
    const message = await approvalMessageFor(conversationId);
    const approvalId = approvalIdOf(message);
    const redis = createRedis(REDIS_URL, 1_000);
    const approval = await new ReconnectApprovals(redis, slack.prefix).get(approvalId);
    redis.disconnect();
    // Somebody approved this request at the backend directly; an agent now denies it in Slack.
    const backend = slack.service().runtime.accounts?.backend;
    await backend?.decideReconnect(
      approval?.accountId ?? '',
      approval?.requestId ?? '',
      'approve',
      'outside-slack',
    );
    await click('reconnect_deny', approvalId, AGENT, message, 'refused-deny');
    await slack.send(
      viewSubmission({
        callbackId: 'reconnect_deny_reason',
        privateMetadata: approvalId,
        values: { reason: { reason: 'no' } },
        userId: AGENT,
      }),
    );
    const updated = await eventually(
      () =>
        slack
          .fake()
          .messages.find(
            (each) =>
              each.ts === message.ts &&
              JSON.stringify(each.blocks).includes('refused by the account backend'),
          ),
      'the refusal on the message',
    );
    expect(JSON.stringify(updated.blocks)).toContain('reconnect_already_approved');
    expect(JSON.stringify(updated.blocks)).toContain('"action_id":"reconnect_approve"');
    expect(
      (await transcriptOf(conversationId)).some((entry) =>
        /will contact you|approved your reconnect/.test(entry.text),
      ),
    ).toBe(false);
    // The claim was given back: Approve now goes through (the backend already says approved).
    await click('reconnect_approve', approvalId, GROUP_AGENT, message, 'after-refusal');
    await eventually(
      () =>
        slack
          .fake()
          .messages.find((each) => each.ts === message.ts && /Approved by <@U0AGENT2>/.test(each.text)),
      'the approval',
    );
  });
});
