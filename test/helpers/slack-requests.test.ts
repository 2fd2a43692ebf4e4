import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackFake, startSlackFake } from '../fakes/slack.ts';
import {
  blockAction,
  eventCallback,
  type SlackRequestBody,
  slackHeaders,
  slashCommand,
  urlVerification,
  viewSubmission,
} from './slack-requests.ts';

const SECRET = 'fake-signing-secret';
let fake: SlackFake;
let app: App;
let eventsUrl: string;
/** What the app's listeners saw, for checking that the bodies carry what Bolt hands them. */
const seen: Record<string, unknown>[] = [];

beforeAll(async () => {
  fake = await startSlackFake();
  // Bolt's own receiver, verifying signatures, its client on the fake: the builders are right if it takes them.
  app = new App({
    token: fake.botToken,
    signingSecret: SECRET,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    processBeforeResponse: true,
    logLevel: LogLevel.ERROR,
  });
  app.command('/onebalance', async ({ command, ack, respond }) => {
    await ack();
    seen.push({ kind: 'command', text: command.text, user: command.user_id, team: command.team_id });
    await respond({ response_type: 'ephemeral', text: `checking ${command.text}` });
  });
  app.action('refund_yes', async ({ ack, body, action, respond }) => {
    await ack();
    const value = action.type === 'button' ? action.value : undefined;
    seen.push({ kind: 'action', value, user: body.user.id, channel: body.channel?.id });
    await respond({ replace_original: true, text: 'Refund requested' });
  });
  app.view('refund_form', async ({ ack, view }) => {
    await ack();
    seen.push({
      kind: 'view',
      metadata: view.private_metadata,
      amount: view.state.values.amount?.value?.value,
    });
  });
  app.event('app_mention', async ({ event, say }) => {
    seen.push({ kind: 'event', text: event.text });
    await say({ text: 'on it', thread_ts: event.ts });
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});
afterAll(async () => {
  await app.stop();
  await fake.close();
});

const send = (request: SlackRequestBody, options: Parameters<typeof slackHeaders>[2] = {}) =>
  fetch(eventsUrl, { method: 'POST', headers: slackHeaders(request, SECRET, options), body: request.body });

describe('Slack request builders, signed, through a Bolt app', () => {
  it('delivers a slash command whose response_url is the fake', async () => {
    const answer = await send(
      slashCommand({ text: 'balance', userId: 'U0ALICE', responseUrl: fake.responseUrl('cmd') }),
    );
    expect(answer.status).toBe(200);
    expect(seen.at(-1)).toEqual({ kind: 'command', text: 'balance', user: 'U0ALICE', team: 'T0FAKETEAM' });
    expect(fake.responses('cmd').map((response) => response.body)).toEqual([
      { response_type: 'ephemeral', text: 'checking balance' },
    ]);
  });

  it('delivers a button click with its value, user and channel', async () => {
    const click = blockAction({
      actionId: 'refund_yes',
      value: 'order-9',
      responseUrl: fake.responseUrl('act'),
    });
    expect((await send(click)).status).toBe(200);
    expect(seen.at(-1)).toEqual({
      kind: 'action',
      value: 'order-9',
      user: 'U0CUSTOMER',
      channel: 'C0SUPPORT',
    });
    expect(fake.responses('act').at(-1)?.body).toMatchObject({ replace_original: true });
  });

  it("delivers a view submission with its private metadata and a plain input's value", async () => {
    const submission = viewSubmission({
      callbackId: 'refund_form',
      privateMetadata: '{"case":"42"}',
      values: { amount: { value: '12.50' } },
    });
    expect((await send(submission)).status).toBe(200);
    expect(seen.at(-1)).toEqual({ kind: 'view', metadata: '{"case":"42"}', amount: '12.50' });
  });

  it('delivers an event, a redelivery carrying the retry headers, and answers the URL challenge', async () => {
    const mention = eventCallback({
      event: {
        type: 'app_mention',
        user: 'U0ALICE',
        text: '<@U0FAKEBOT> help',
        ts: '1700000001.000100',
        channel: 'C0SUPPORT',
      },
    });
    expect((await send(mention)).status).toBe(200);
    expect(seen.at(-1)).toEqual({ kind: 'event', text: '<@U0FAKEBOT> help' });
    expect(fake.messages.at(-1)).toMatchObject({
      channel: 'C0SUPPORT',
      text: 'on it',
      thread_ts: '1700000001.000100',
    });
    expect((await send(mention, { retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
    const challenge = await send(urlVerification('challenge-abc'));
    expect(await challenge.json()).toEqual({ challenge: 'challenge-abc' });
  });

  it('is refused by Bolt when signed with another secret or too long ago', async () => {
    const request = slashCommand({ text: 'balance' });
    const forged = await fetch(eventsUrl, {
      method: 'POST',
      headers: slackHeaders(request, 'another-secret'),
      body: request.body,
    });
    expect(forged.status).toBe(401);
    const stale = await send(request, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
  });
});
