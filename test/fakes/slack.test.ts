import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import {
  ErrorCode,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type WebClientOptions,
} from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlack, slashCommand } from '../helpers/slack-requests.ts';
import { type SlackFake, startSlackFake } from './slack.ts';

let fake: SlackFake;
beforeAll(async () => {
  fake = await startSlackFake({ userGroups: { S0ONCALL: ['U0ALICE', 'U0BOB'] } });
});
afterAll(async () => {
  await fake.close();
});

/** The real client as the bot will use it: pointed at the fake, no retries unless a test asks. */
const client = (options: WebClientOptions = {}, token = fake.botToken) =>
  new WebClient(token, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    ...options,
  });

/** The error a call rejects with. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => error,
  );
}

describe('SlackFake: the Web API methods through the real WebClient', () => {
  it('answers auth.test with the workspace and bot, and records the form-encoded call with its bearer token', async () => {
    const answer = await client().auth.test();
    expect(answer).toMatchObject({
      ok: true,
      team_id: 'T0FAKETEAM',
      user_id: 'U0FAKEBOT',
      bot_id: 'B0FAKEBOT',
    });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const recorded = fake.calls('auth.test').at(-1);
    expect(recorded?.headers.authorization).toBe(`Bearer ${fake.botToken}`);
    expect(recorded?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(recorded).toMatchObject({ status: 200, ok: true });
  });

  it('posts messages with increasing ts, decodes their blocks, updates them and serves a thread', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Balance* low' } }];
    const first = await client().chat.postMessage({ channel: 'C0SUPPORT', text: 'Balance low', blocks });
    const reply = await client().chat.postMessage({
      channel: 'C0SUPPORT',
      text: 'more',
      thread_ts: first.ts,
    });
    expect(first).toMatchObject({ ok: true, channel: 'C0SUPPORT', message: { text: 'Balance low', blocks } });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(reply.ts)).toBeGreaterThan(Number(first.ts));
    expect(fake.calls('chat.postMessage').at(-2)?.body.blocks).toEqual(blocks);

    const updated = await client().chat.update({ channel: 'C0SUPPORT', ts: first.ts ?? '', text: 'Handled' });
    expect(updated).toMatchObject({ ok: true, ts: first.ts, text: 'Handled' });
    expect(fake.messages.find((message) => message.ts === first.ts)).toMatchObject({
      text: 'Handled',
      updates: 1,
    });

    const thread = await client().conversations.replies({ channel: 'C0SUPPORT', ts: first.ts ?? '' });
    expect(thread.messages?.map((message) => message.text)).toEqual(['Handled', 'more']);
  });

  it('answers chat.update of an unknown message with message_not_found', async () => {
    const error = await failure(client().chat.update({ channel: 'C0SUPPORT', ts: '1.000001', text: 'x' }));
    expect(error).toBeInstanceOf(WebAPIPlatformError);
    expect((error as WebAPIPlatformError).data.error).toBe('message_not_found');
  });

  it('posts an ephemeral message and answers with its message_ts', async () => {
    const answer = await client().chat.postEphemeral({
      channel: 'C0SUPPORT',
      user: 'U0ALICE',
      text: 'only you',
    });
    expect(answer.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.messages.at(-1)).toMatchObject({ ephemeral: true, user: 'U0ALICE', text: 'only you' });
  });

  it('lists the members of a configured or set user group, and refuses an unknown one', async () => {
    expect((await client().usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual([
      'U0ALICE',
      'U0BOB',
    ]);
    fake.setGroupMembers('S0ONCALL', ['U0CAROL']);
    expect((await client().usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U0CAROL']);
    const error = await failure(client().usergroups.users.list({ usergroup: 'S0NOPE' }));
    expect((error as WebAPIPlatformError).data.error).toBe('no_such_subteam');
  });

  it('opens a view and gives it an id', async () => {
    const view = {
      type: 'modal' as const,
      callback_id: 'refund',
      title: { type: 'plain_text' as const, text: 'Refund' },
      blocks: [],
    };
    const answer = await client().views.open({ trigger_id: '123.456.abc', view });
    expect(answer.view).toMatchObject({ id: expect.stringMatching(/^V/), callback_id: 'refund' });
    expect(fake.views.at(-1)).toMatchObject({ trigger_id: '123.456.abc', view: { callback_id: 'refund' } });
  });

  it('refuses a wrong token with invalid_auth and no token with not_authed, changing nothing', async () => {
    const posted = fake.messages.length;
    const wrong = await failure(
      client({}, 'xoxb-wrong').chat.postMessage({ channel: 'C0SUPPORT', text: 'x' }),
    );
    expect(wrong).toBeInstanceOf(WebAPIPlatformError);
    expect((wrong as WebAPIPlatformError).data.error).toBe('invalid_auth');
    const missing = await failure(client({}, '').auth.test());
    expect((missing as WebAPIPlatformError).data.error).toBe('not_authed');
    expect(fake.messages.length).toBe(posted);
  });
});

describe('SlackFake: injected faults, count-limited, per method', () => {
  it('answers 429 with Retry-After: rejected as rate-limited when the client says so, nothing posted', async () => {
    const posted = fake.messages.length;
    fake.inject({ route: 'chat.postMessage', kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 });
    const error = await failure(
      client({ rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'C0SUPPORT', text: 'x' }),
    );
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });
    expect(fake.messages.length).toBe(posted);
    expect(fake.calls('chat.postMessage').at(-1)).toMatchObject({ status: 429, fault: 'status' });
  });

  it('answers 429 once: a client that retries waits Retry-After seconds and posts on the second try', async () => {
    fake.inject({ route: 'chat.postMessage', kind: 'status', status: 429, retryAfterSeconds: 0, count: 1 });
    const before = fake.calls('chat.postMessage').length;
    const retrying = client({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const answer = await retrying.chat.postMessage({ channel: 'C0SUPPORT', text: 'after the limit' });
    expect(answer.ok).toBe(true);
    expect(
      fake
        .calls('chat.postMessage')
        .slice(before)
        .map((call) => call.status),
    ).toEqual([429, 200]);
  });

  it('answers 429 to a client that neither retries nor rejects: its plain rate-limit error', async () => {
    fake.inject({ route: 'auth.test', kind: 'status', status: 429, retryAfterSeconds: 0, count: 1 });
    const error = await failure(client().auth.test());
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/A rate limit was exceeded .*retry-after: 0/);
  });

  it('answers 500 and 503 as HTTP errors for `count` calls, then serves again', async () => {
    fake.inject({ route: 'chat.update', kind: 'status', status: 500, count: 1 });
    fake.inject({ route: 'views.open', kind: 'status', status: 503, count: 2 });
    const update = await failure(client().chat.update({ channel: 'C0SUPPORT', ts: '1.000001', text: 'x' }));
    expect(update).toBeInstanceOf(WebAPIHTTPError);
    expect((update as WebAPIHTTPError).statusCode).toBe(500);
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'T' }, blocks: [] };
    for (const _ of [1, 2]) {
      const error = await failure(client().views.open({ trigger_id: 't', view }));
      expect((error as WebAPIHTTPError).statusCode).toBe(503);
    }
    expect((await client().views.open({ trigger_id: 't', view })).ok).toBe(true);
  });

  it('answers garbage: the client reads it as ok:false with the body as its error', async () => {
    fake.inject({ route: 'chat.postMessage', kind: 'garbage', count: 1 });
    const error = await failure(client().chat.postMessage({ channel: 'C0SUPPORT', text: 'x' }));
    expect(error).toBeInstanceOf(WebAPIPlatformError);
    expect((error as WebAPIPlatformError).data.error).toMatch(/^\{"ok":true/);
  });

  it("answers an injected ok:false error code, and only on that method's calls", async () => {
    fake.inject({ route: 'chat.postMessage', kind: 'error', error: 'not_in_channel', count: 1 });
    expect((await client().auth.test()).ok).toBe(true);
    const error = await failure(client().chat.postMessage({ channel: 'C0SUPPORT', text: 'x' }));
    expect((error as WebAPIPlatformError).data.error).toBe('not_in_channel');
    expect((await client().chat.postMessage({ channel: 'C0SUPPORT', text: 'x' })).ok).toBe(true);
  });

  it('answers slowly: a client that times out fails, but the message was posted', async () => {
    fake.inject({ route: 'chat.postMessage', kind: 'slow', latencyMs: 400, count: 1 });
    const error = await failure(
      client({ timeout: 100 }).chat.postMessage({ channel: 'C0SUPPORT', text: 'late one' }),
    );
    expect(error).toBeInstanceOf(WebAPIRequestError);
    expect(fake.messages.at(-1)?.text).toBe('late one');
  });
});

describe('SlackFake: response_url, waiting and the canary scan', () => {
  it('records a JSON post to a response_url and answers 200 ok, or an injected expired_url', async () => {
    const url = fake.responseUrl('cmd-1');
    const post = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const answer = await post({ replace_original: true, response_type: 'ephemeral', text: 'Checking' });
    expect([answer.status, await answer.text()]).toEqual([200, 'ok']);
    expect(fake.responses('cmd-1').map((response) => response.body)).toEqual([
      { replace_original: true, response_type: 'ephemeral', text: 'Checking' },
    ]);
    fake.inject({ route: 'respond', kind: 'error', error: 'expired_url', count: 1 });
    const expired = await post({ text: 'too late' });
    expect([expired.status, await expired.text()]).toEqual([404, 'expired_url']);
  });

  it('waits for a request or message still to come, and says what it saw when none comes', async () => {
    const waited = fake.waitFor((request) => request.body.channel === 'C0WAIT');
    const message = fake.waitForMessage((candidate) => candidate.channel === 'C0WAIT');
    setTimeout(() => void client().chat.postMessage({ channel: 'C0WAIT', text: 'hello' }), 50);
    expect(await waited).toMatchObject({ method: 'chat.postMessage', ok: true });
    expect((await message).text).toBe('hello');
    await expect(fake.waitFor((request) => request.method === 'never', 50)).rejects.toThrow(
      /nothing matched/,
    );
  });

  it('puts every string it received, decoded, into allText', async () => {
    const canary = 'canary-7f3a9c';
    await client().chat.postMessage({
      channel: 'C0SUPPORT',
      text: 'x',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `card ${canary}` } }],
    });
    await fetch(fake.responseUrl('cmd-2'), {
      method: 'POST',
      body: JSON.stringify({ text: 'other-canary' }),
    });
    expect(fake.allText()).toContain(canary);
    expect(fake.allText()).toContain('other-canary');
    expect(fake.allText()).not.toContain('never-sent-canary');
  });
});

describe('signSlack: signatures that Bolt accepts', () => {
  const secret = 'fake-signing-secret';
  const verified = (body: string, headers: ReturnType<typeof signSlack>, options: { secret?: string } = {}) =>
    isValidSlackRequest({
      signingSecret: options.secret ?? secret,
      body,
      headers: {
        'x-slack-signature': headers['x-slack-signature'],
        'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
      },
    });

  it("is accepted by Bolt's verifySlackRequest, now or at a given recent time", () => {
    const { body } = slashCommand({ text: 'balance' });
    const headers = signSlack(body, secret);
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body,
        headers: {
          'x-slack-signature': headers['x-slack-signature'],
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
      }),
    ).not.toThrow();
    expect(verified(body, signSlack(body, secret, Math.floor(Date.now() / 1000) - 60))).toBe(true);
  });

  it('is refused for another body, another secret or a timestamp over five minutes old', () => {
    const { body } = slashCommand({ text: 'balance' });
    expect(verified(`${body}&x=1`, signSlack(body, secret))).toBe(false);
    expect(verified(body, signSlack(body, secret), { secret: 'other-secret' })).toBe(false);
    expect(verified(body, signSlack(body, secret, Math.floor(Date.now() / 1000) - 6 * 60))).toBe(false);
  });
});
