import { describe, expect, it } from 'vitest';
import { useChatService } from '../../helpers/chat-api.ts';
import { slackHeaders, slashCommand } from '../../helpers/slack-requests.ts';

const { service } = useChatService('slack-off');

describe('without Slack settings', () => {
  it('starts, and has no Slack route', async () => {
    const request = slashCommand({ text: 'help', userId: 'U0AGENT1' });
    const response = await fetch(`${service().url}/slack/events`, {
      method: 'POST',
      headers: slackHeaders(request, 'whatever-secret-it-is'),
      body: request.body,
    });
    expect(response.status).toBe(404);
    expect((await fetch(`${service().url}/healthz`)).status).toBe(200);
  });
});
