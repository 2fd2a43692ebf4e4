import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { slackSettingsFor } from '../../fakes/slack.ts';
import { REDIS_URL } from '../../helpers/redis.ts';
import { slashCommand } from '../../helpers/slack-requests.ts';
import { AGENT, CHANNEL, eventually, SIGNING_SECRET, useSlackService } from './setup.ts';

// The service runs no workers: a separate `onebalance-bot worker` process does the Slack jobs.
const slack = useSlackService('slack-proc', { RUN_WORKERS: 'false' });
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

async function startWorkerProcess(): Promise<void> {
  const fake = slack.fake();
  child = spawn(process.execPath, ['bin/onebalance-bot.js', 'worker'], {
    env: {
      ...process.env,
      REDIS_URL,
      QUEUE_PREFIX: slack.prefix,
      LOG_LEVEL: 'silent',
      ...slackSettingsFor(fake, { signingSecret: SIGNING_SECRET, channel: CHANNEL, agents: AGENT }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  await eventually(() => output.includes('check worker ready') || undefined, 'the worker process', 30_000);
}

describe('Slack with the workers in `npm run worker` processes', () => {
  it('answers commands and posts alerts from the worker process', async () => {
    await startWorkerProcess();
    await slack.send(
      slashCommand({
        text: 'check hold@demo.test',
        userId: AGENT,
        responseUrl: slack.fake().responseUrl('proc'),
      }),
    );
    const report = await eventually(() => slack.fake().responses('proc')[0], 'the report', 30_000);
    expect(JSON.stringify(report.body)).toMatch(/temporary_hold/);
    const id = await slack.startAs('closed@demo.test');
    await slack.say(id, 'I want to talk to a real person');
    await eventually(
      () => slack.fake().messages.find((message) => JSON.stringify(message.blocks ?? []).includes(id)),
      'the alert',
      30_000,
    );
  });
});
