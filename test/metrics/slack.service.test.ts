import { describe, expect, it } from 'vitest';
import { AGENT, CHANNEL, eventually, useSlackService } from '../channels/slack/setup.ts';
import { blockAction } from '../helpers/slack-requests.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';
const slack = useSlackService('metrics-slack', { METRICS_TOKEN: TOKEN });

async function scrape(): Promise<string> {
  const response = await fetch(`${slack.service().url}/metrics`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return response.text();
}

describe('Slack metrics', () => {
  it("counts an agent's reconnect approval and the Slack requests by status class", async () => {
    const conversationId = await slack.startAs('disconnected@demo.test');
    await slack.say(conversationId, 'my one balance account is not showing in the app');
    await slack.say(conversationId, 'yes please');
    const message = await slack
      .fake()
      .waitForMessage(
        (each) => each.channel === CHANNEL && JSON.stringify(each.blocks ?? []).includes(conversationId),
        15_000,
      );
    const actions = (message.blocks ?? []).find((block) => (block as { type: string }).type === 'actions') as
      | { elements: { value: string; action_id: string }[] }
      | undefined;
    const approvalId = actions?.elements.find((element) => element.action_id === 'reconnect_approve')?.value;
    const response = await slack.send(
      blockAction({
        actionId: 'reconnect_approve',
        value: approvalId ?? '',
        userId: AGENT,
        messageTs: message.ts,
        channelId: CHANNEL,
        responseUrl: slack.fake().responseUrl('metrics-approve'),
      }),
    );
    expect(response.status).toBe(200);
    const decided = await eventually(async () => {
      const text = await scrape();
      return text.includes('onebalance_reconnect_decisions_total{decision="approve",outcome="approved"} 1')
        ? text
        : undefined;
    }, 'the decision counted');
    expect(decided).toMatch(/onebalance_webhook_requests_total\{source="slack",status="2xx"\} [1-9]/);
    expect(decided).toContain('onebalance_escalations_total{kind="ticket",reason="reconnect_request"} 1');
  });
});
