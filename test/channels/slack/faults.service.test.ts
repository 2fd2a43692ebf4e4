import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { createRedis } from '../../../src/queue/redis.ts';
import { slackSettingsFor, startSlackFake } from '../../fakes/slack.ts';
import { deleteKeysUnder, keysUnder, REDIS_URL, uniquePrefix } from '../../helpers/redis.ts';
import { startTestService } from '../../helpers/service.ts';
import { slashCommand } from '../../helpers/slack-requests.ts';
import { AGENT, CHANNEL, eventually, SIGNING_SECRET, useSlackService } from './setup.ts';

const slack = useSlackService('slack-flt');

async function handOff(email: string): Promise<string> {
  const id = await slack.startAs(email);
  await slack.say(id, 'I want to talk to a real person');
  return id;
}

const alerted = (id: string) => () =>
  slack
    .fake()
    .messages.find(
      (message) => message.channel === CHANNEL && JSON.stringify(message.blocks ?? []).includes(id),
    );

describe('a Slack API that answers 429 or 500', () => {
  it('waits out a 429 for its Retry-After, then posts the alert once', async () => {
    slack
      .fake()
      .inject({ route: 'chat.postMessage', kind: 'status', status: 429, retryAfterSeconds: 1, count: 1 });
    const started = Date.now();
    const id = await handOff('active@demo.test');
    await eventually(alerted(id), 'the alert', 20_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const posts = slack
      .fake()
      .calls('chat.postMessage')
      .filter((call) => call.raw.includes(id));
    expect(posts.map((call) => call.status)).toEqual([429, 200]);
  });

  it('retries through 500s and unreadable answers', async () => {
    slack.fake().inject({ route: 'chat.postMessage', kind: 'status', status: 500, count: 3 });
    slack.fake().inject({ route: 'chat.postMessage', kind: 'garbage', count: 1 });
    const id = await handOff('hold@demo.test');
    await eventually(alerted(id), 'the alert', 30_000);
    expect(
      slack
        .fake()
        .messages.filter(
          (message) => JSON.stringify(message.blocks ?? []).includes(id) && !message.thread_ts,
        ),
    ).toHaveLength(1);
  });

  it('still answers commands when the response_url fails once', async () => {
    slack.fake().inject({ route: 'respond', kind: 'status', status: 500, count: 1 });
    const response = await slack.send(
      slashCommand({
        text: 'check active@demo.test',
        userId: AGENT,
        responseUrl: slack.fake().responseUrl('flaky'),
      }),
    );
    expect(response.status).toBe(200);
    await eventually(
      () =>
        slack
          .fake()
          .responses('flaky')
          .find((each) => each.status === 200),
      'the report',
      20_000,
    );
  });
});

describe('starting with Slack settings', () => {
  it('refuses a bot token Slack does not accept, saying how to fix it', async () => {
    const fake = await startSlackFake();
    const prefix = uniquePrefix('slack-bad');
    try {
      const start = startTestService(prefix, {
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-not-the-right-one',
        SLACK_AGENTS_CHANNEL: CHANNEL,
        SLACK_AGENT_IDS: AGENT,
        SLACK_TEAM_ID: fake.identity.teamId,
        SLACK_API_URL: fake.url,
      });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(/SLACK_BOT_TOKEN: Slack refused it \(invalid_auth\)/);
      // The failed start closed what it had opened: nothing of it writes to Redis afterwards.
      await deleteKeysUnder(prefix);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const redis = createRedis(REDIS_URL, 1_000);
      try {
        expect(await keysUnder(redis, prefix)).toEqual([]);
      } finally {
        redis.disconnect();
      }
    } finally {
      await fake.close();
      await deleteKeysUnder(prefix);
    }
  });

  it('starts while Slack is down, and serves commands once it is back', async () => {
    const fake = await startSlackFake();
    // The start's auth.test and the client's two retries of it.
    fake.inject({ route: 'auth.test', kind: 'status', status: 503, count: 3 });
    const prefix = uniquePrefix('slack-down');
    const service = await startTestService(prefix, {
      ...slackSettingsFor(fake, { signingSecret: SIGNING_SECRET, channel: CHANNEL, agents: AGENT }),
      SLACK_TIMEOUT_MS: '500',
    });
    try {
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
      const request = slashCommand({ text: 'help', userId: AGENT });
      const { slackHeaders } = await import('../../helpers/slack-requests.ts');
      const response = await fetch(`${service.url}/slack/events`, {
        method: 'POST',
        headers: slackHeaders(request, SIGNING_SECRET),
        body: request.body,
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { text: string }).text).toMatch(/check EMAIL/);
      expect(fake.calls('auth.test').map((call) => call.status)).toEqual([503, 503, 503, 200]);
    } finally {
      await service.close();
      await fake.close();
      await deleteKeysUnder(prefix);
    }
  });
});
