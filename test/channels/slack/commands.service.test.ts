import { describe, expect, it } from 'vitest';
import { demoCanaries } from '../../../src/accounts/reference/demo-accounts.ts';
import { AuditLog } from '../../../src/channels/slack/audit.ts';
import { createRedis } from '../../../src/queue/redis.ts';
import { REDIS_URL } from '../../helpers/redis.ts';
import { slashCommand, urlVerification } from '../../helpers/slack-requests.ts';
import { AGENT, eventually, GROUP_AGENT, OUTSIDER, useSlackService } from './setup.ts';

const slack = useSlackService('slack-cmd');

async function command(text: string, userId: string, extra: { responseId?: string; teamId?: string } = {}) {
  const request = slashCommand({
    text,
    userId,
    ...(extra.teamId ? { teamId: extra.teamId } : {}),
    responseUrl: slack.fake().responseUrl(extra.responseId ?? 'none'),
  });
  const response = await slack.send(request);
  return { status: response.status, body: (await response.text()) || '{}' };
}

describe('POST /slack/events', () => {
  it('answers the URL verification challenge', async () => {
    const response = await slack.send(urlVerification('challenge-123'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'challenge-123' });
  });

  it('refuses a bad signature, a stale timestamp and a changed body with 401', async () => {
    const request = slashCommand({ text: 'help', userId: AGENT });
    const url = `${slack.service().url}/slack/events`;
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': request.contentType,
        'x-slack-signature': `v0=${'0'.repeat(64)}`,
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: request.body,
    });
    expect(forged.status).toBe(401);
    const stale = await slack.send(request, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringMatching(/stale/) },
    });
    const { signSlack } = await import('../../helpers/slack-requests.ts');
    const changed = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': request.contentType,
        ...signSlack(request.body, 'slack-signing-secret-for-tests'),
      },
      body: request.body.replace('help', 'tickets'),
    });
    expect(changed.status).toBe(401);
  });

  it('refuses another workspace with 403, and a body that is no Slack payload with 400', async () => {
    expect((await command('help', AGENT, { teamId: 'T0OTHER' })).status).toBe(403);
    const response = await slack.send({
      body: JSON.stringify({ hello: 'world' }),
      contentType: 'application/json',
    });
    expect(response.status).toBe(400);
    const broken = await slack.send({ body: '{not json', contentType: 'application/json' });
    expect(broken.status).toBe(400);
  });
});

describe('/onebalance', () => {
  it('gives an agent the usage, and refuses somebody else (still acknowledged), with an audit entry each', async () => {
    const help = await command('help', AGENT);
    expect(help.status).toBe(200);
    expect(JSON.parse(help.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/check EMAIL/),
    });
    const refused = await command('tickets', OUTSIDER);
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.body).text).toMatch(/Only One Balance support agents/);
    const unknown = await command('frobnicate now', AGENT);
    expect(JSON.parse(unknown.body).blocks[0].text.text).toMatch(/Unknown command `frobnicate`/);
    const redis = createRedis(REDIS_URL, 1_000);
    const entries = await new AuditLog(redis, slack.prefix).latest(10);
    redis.disconnect();
    expect(entries.map((entry) => `${entry.actor} ${entry.action} ${entry.outcome}`)).toEqual(
      expect.arrayContaining([`${AGENT} command:help ok`, `${OUTSIDER} command:tickets denied:not_an_agent`]),
    );
  });

  it('lets a member of the agents group act', async () => {
    const answer = await command('reconnects', GROUP_AGENT);
    expect(JSON.parse(answer.body).text).toMatch(/No reconnect requests are waiting/);
  });

  it('checks an account: acknowledges at once, then the report reaches the response_url, masked', async () => {
    const answer = await command('check pw-changed@demo.test', AGENT, { responseId: 'check-1' });
    expect(JSON.parse(answer.body).text).toMatch(/Checking pw-changed@demo.test/);
    const [report] = await eventually(() => {
      const found = slack.fake().responses('check-1');
      return found.length > 0 ? found : undefined;
    }, 'the check report');
    const text = JSON.stringify(report?.body);
    expect(text).toMatch(/OB-\d{4}/);
    expect(text).toMatch(/suspended/);
    expect(text).toMatch(/password_changed/);
    expect(text).toMatch(/Next step/);
    for (const canary of demoCanaries()) expect(slack.fake().allText()).not.toContain(canary);
  });

  it('applies a replayed command once', async () => {
    const request = slashCommand({
      text: 'check active@demo.test',
      userId: AGENT,
      responseUrl: slack.fake().responseUrl('replay'),
    });
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const first = await slack.send(request, { timestampSeconds });
    const again = await slack.send(request, { timestampSeconds, retryNum: 1 });
    expect([first.status, again.status]).toEqual([200, 200]);
    await eventually(() => (slack.fake().responses('replay').length > 0 ? true : undefined), 'the report');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slack.fake().responses('replay')).toHaveLength(1);
  });
});

describe('/onebalance conversation, tickets and handback', () => {
  it('shows a conversation, lists its escalation, and hands it back to the bot', async () => {
    const id = await slack.startAs('review@demo.test');
    await slack.say(id, 'why is my <b>account</b> suspended?');
    await slack.say(id, 'I want to talk to a real person');
    await eventually(
      () => slack.fake().messages.find((message) => JSON.stringify(message.blocks ?? []).includes(id)),
      'the alert',
    );
    const summary = JSON.parse((await command(`conversation ${id}`, AGENT)).body);
    const shown = JSON.stringify(summary.blocks);
    expect(shown).toContain('review@demo.test');
    expect(shown).toMatch(/handed off since/);
    expect(shown).toContain('&lt;b&gt;account&lt;/b&gt;');
    const tickets = JSON.stringify(JSON.parse((await command('tickets', AGENT)).body));
    expect(tickets).toContain(id);
    expect(tickets).toContain('customer_asked_for_a_person');
    const back = JSON.parse((await command(`handback ${id}`, AGENT)).body);
    expect(back.text).toMatch(/is back with the bot/);
    const again = JSON.parse((await command(`handback ${id}`, AGENT)).body);
    expect(again.text).toMatch(/is not handed off/);
    const missing = JSON.parse((await command('conversation c_nothing_here', AGENT)).body);
    expect(missing.text).toMatch(/No conversation/);
  });
});
