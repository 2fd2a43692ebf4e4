import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../../src/http/server.ts';
import { type SlackFake, slackSettingsFor, startSlackFake } from '../../fakes/slack.ts';
import { deleteKeysUnder, uniquePrefix } from '../../helpers/redis.ts';
import { startTestService } from '../../helpers/service.ts';
import { AGENT, CHANNEL, eventually, OUTSIDER, SIGNING_SECRET } from './setup.ts';

const APP_TOKEN = 'xapp-1-A0FAKEAPP-socket-mode-token';
const prefix = uniquePrefix('slack-sock');
let fake: SlackFake;
let service: Service;

beforeAll(async () => {
  fake = await startSlackFake({ appToken: APP_TOKEN });
  service = await startTestService(prefix, {
    ...slackSettingsFor(fake, { signingSecret: SIGNING_SECRET, channel: CHANNEL, agents: AGENT }),
    SLACK_APP_TOKEN: APP_TOKEN,
  });
  await fake.socket?.connected();
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
  await deleteKeysUnder(prefix);
});

const command = (text: string, userId: string, teamId = fake.identity.teamId, responseId = 'none') => ({
  command: '/onebalance',
  text,
  user_id: userId,
  team_id: teamId,
  channel_id: CHANNEL,
  response_url: fake.responseUrl(responseId),
  trigger_id: `trigger-${Math.random()}`,
});

describe('Socket Mode (SLACK_APP_TOKEN)', () => {
  it('connects without a Request URL and answers commands over the socket', async () => {
    expect(fake.calls('apps.connections.open').length).toBeGreaterThan(0);
    const help = (await fake.socket?.send('slash_commands', command('help', AGENT))) as { text?: string };
    expect(help.text).toMatch(/check EMAIL/);
    const refused = (await fake.socket?.send('slash_commands', command('tickets', OUTSIDER))) as {
      text?: string;
    };
    expect(refused.text).toMatch(/Only One Balance support agents/);
    await fake.socket?.send(
      'slash_commands',
      command('check review@demo.test', AGENT, fake.identity.teamId, 'sock'),
    );
    const report = await eventually(() => fake.responses('sock')[0], 'the report');
    expect(JSON.stringify(report.body)).toMatch(/compliance_review/);
    // The Request URL is not served in Socket Mode.
    expect((await fetch(`${service.url}/slack/events`, { method: 'POST' })).status).toBe(404);
  });

  it('ignores another workspace', async () => {
    await expect(
      fake.socket?.send('slash_commands', command('help', AGENT, 'T0OTHER'), 1_500),
    ).rejects.toThrow(/no ack/);
  });
});
