import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src/http/server.ts';
import { identityOf } from '../helpers/identity.ts';
import { deleteKeysUnder, uniquePrefix } from '../helpers/redis.ts';
import { startTestService } from '../helpers/service.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';
const WEBHOOK_SECRET = 'zendesk-webhook-secret-for-tests';
/** Customer data said in the chat: neither may show in any metric. */
const DISTINCTIVE_WORD = 'quokkazanzibar';
const EMAIL = 'active@demo.test';
const TYPED_EMAIL = 'priya.quokka@example.org';

/** The value of the series `name{labels}` (labels as written in the text, in order), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The sum of every series of `name` whose labels contain all of `having`. */
function total(text: string, name: string, having: string[] = []): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => having.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('GET /metrics on the service port (METRICS_TOKEN)', () => {
  const prefix = uniquePrefix('metrics-http');
  let service: Service;
  /** A scrape with `token` (null: with no Authorization header). */
  const scrape = async (token: string | null = TOKEN) =>
    fetch(`${service.url}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    service = await startTestService(prefix, {
      METRICS_TOKEN: TOKEN,
      ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
  });
  afterAll(async () => {
    await service.close();
    await deleteKeysUnder(prefix);
  });

  it('refuses a scrape without the token or with another one, and answers one with it', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('not-the-metrics-token-at-all-00')).status).toBe(401);
    const answered = await scrape();
    expect(answered.status).toBe(200);
    expect(answered.headers.get('content-type')).toContain('text/plain');
    const text = await answered.text();
    // Node's default metrics keep their standard names.
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('moves the turn, check and queue metrics after a conversation, without its words', async () => {
    const before = await (await scrape()).text();
    const { id } = await post('/api/conversations', { email: EMAIL, identity: identityOf(EMAIL) });
    await post(`/api/conversations/${id}/messages`, { text: 'what plan am I on?' });
    await post(`/api/conversations/${id}/messages`, {
      text: `my ${DISTINCTIVE_WORD} friend at ${TYPED_EMAIL} says the labels fail`,
    });
    await post(`/api/conversations/${id}/messages`, { text: 'asdf qwer zxcv' });
    // A webhook request without a signature: refused, and counted by its status class.
    const webhook = await fetch(`${service.url}/webhooks/zendesk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(webhook.status).toBe(401);
    const after = await (await scrape()).text();

    const turns = (text: string) =>
      total(text, 'onebalance_turns_total', ['channel="web"', 'reader="local"']);
    expect(turns(after) - turns(before)).toBe(3);
    expect(total(after, 'onebalance_turns_total', ['intent="first_class_plan"'])).toBeGreaterThan(0);
    expect(total(after, 'onebalance_turn_duration_seconds_count')).toBe(3);
    const planChecks = sample(after, 'onebalance_check_duration_seconds_count{check="account.plan"}') ?? 0;
    expect(planChecks).toBeGreaterThan(0);
    expect(total(after, 'onebalance_checks_total', ['check="account.plan"', 'status="ok"'])).toBe(planChecks);
    expect(total(after, 'onebalance_misses_total')).toBeGreaterThan(0);
    for (const queue of [
      'checks',
      'turns',
      'escalations',
      'handoff-sync',
      'triage',
      'slack',
      'slack-commands',
    ])
      expect(sample(after, `onebalance_queue_jobs{queue="${queue}",state="failed"}`)).toBe(0);
    expect(sample(after, 'onebalance_webhook_requests_total{source="zendesk",status="4xx"}')).toBe(1);

    for (const secret of [DISTINCTIVE_WORD, TYPED_EMAIL, EMAIL, 'quokka', '@'])
      expect(after.toLowerCase()).not.toContain(secret);
    // Every label value is a known one or `other`: no series carries what a customer typed.
    const values = [...after.matchAll(/="([^"]*)"/g)].map((match) => match[1] ?? '');
    for (const value of values) expect(value).toMatch(/^[a-z0-9_.:+-]*$|^[0-9.e+-]+$/i);
  });
});

describe('GET /metrics on METRICS_PORT', () => {
  const prefix = uniquePrefix('metrics-port');
  let service: Service;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    service = await startTestService(prefix, { METRICS_PORT: String(port) });
  });
  afterAll(async () => {
    await service.close();
    await deleteKeysUnder(prefix);
  });

  it('serves the metrics on loopback without a token, and not on the service port', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('onebalance_queue_jobs{queue="checks",state="waiting"}');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
  });
});

describe('without METRICS_TOKEN or METRICS_PORT', () => {
  const prefix = uniquePrefix('metrics-off');
  let service: Service;
  beforeAll(async () => {
    service = await startTestService(prefix);
  });
  afterAll(async () => {
    await service.close();
    await deleteKeysUnder(prefix);
  });

  it('has no /metrics route', async () => {
    expect((await fetch(`${service.url}/metrics`)).status).toBe(404);
  });
});
