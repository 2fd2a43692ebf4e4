import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoCanaries } from '../../src/accounts/reference/demo-accounts.ts';
import { signZendeskWebhook } from '../../src/channels/zendesk/verify-signature.ts';
import type { Service } from '../../src/http/server.ts';
import { ZendeskFake } from '../fakes/zendesk.ts';
import { identityOf } from '../helpers/identity.ts';
import { deleteKeysUnder, uniquePrefix } from '../helpers/redis.ts';
import { startTestService } from '../helpers/service.ts';

const WEBHOOK_SECRET = 'zendesk-webhook-secret-for-tests';
const fake = new ZendeskFake();
const prefix = uniquePrefix('esc');
let service: Service;
let base: string;

beforeAll(async () => {
  await fake.start();
  service = await startTestService(prefix, {
    ZENDESK_URL: fake.url,
    ZENDESK_EMAIL: 'bot@acme.test',
    ZENDESK_TOKEN: 'zendesk-test-token',
    ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // Always open, so no test depends on the clock (support-hours.test.ts covers the closed case).
    SUPPORT_HOURS: 'Mon-Sun 00:00-24:00',
  });
  base = service.url;
});
afterAll(async () => {
  await service.close();
  await fake.stop();
  await deleteKeysUnder(prefix);
});
beforeEach(() => {
  fake.tickets.length = 0;
  fake.requests = 0;
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function startAs(email: string): Promise<string> {
  const created = await post('/api/conversations', {
    email,
    identity: identityOf(email),
  });
  return created.json.id as string;
}

type Turn = {
  messages: { text: string }[];
  intent: string;
  escalation: null | { kind: string; reason: string; id?: string };
};
async function say(id: string, text: string): Promise<Turn> {
  const response = await post(`/api/conversations/${id}/messages`, { text });
  expect(response.status).toBe(200);
  return response.json as unknown as Turn;
}

const allTextOf = (turn: Turn) => turn.messages.map((message) => message.text).join('\n');

async function transcript(id: string): Promise<{ role: string; text: string }[]> {
  const response = await fetch(`${base}/api/conversations/${id}`);
  return ((await response.json()) as { messages: { role: string; text: string }[] }).messages;
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let invocation = 0;
async function webhook(
  event: Record<string, unknown>,
  options: { secret?: string; invocationId?: string; timestamp?: string } = {},
) {
  const body = JSON.stringify(event);
  const timestamp = options.timestamp ?? new Date().toISOString();
  return post('/webhooks/zendesk', body, {
    'x-zendesk-webhook-signature': signZendeskWebhook(body, timestamp, options.secret ?? WEBHOOK_SECRET),
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-invocation-id': options.invocationId ?? `inv-${++invocation}`,
  });
}

const ticketIdOf = async (id: string) => {
  await waitFor(
    async () => (await transcript(id)).some((entry) => /is ticket #\d+/.test(entry.text)),
    'the ticket number in the chat',
  );
  const line = (await transcript(id)).find((entry) => /is ticket #\d+/.test(entry.text));
  return /#(\d+)/.exec(line?.text ?? '')?.[1] ?? '';
};

describe('escalation to a person', () => {
  it('files one ticket when the customer asks for a person, with the whole story and no secrets, and goes quiet', async () => {
    // active@demo.test: the first message escalates nothing, so the only ticket is the person's.
    const id = await startAs('active@demo.test');
    await say(id, 'is my account suspended? I cannot buy postage');
    const turn = await say(id, 'I want to talk to a real person');
    expect(turn.intent).toBe('talk_to_human');
    expect(turn.escalation).toMatchObject({
      kind: 'ticket',
      reason: 'customer_asked_for_a_person',
      id: expect.stringMatching(/^e_/),
    });
    expect(turn.messages.map((message) => message.text).join(' ')).toMatch(/taking over this conversation/);
    const ticketId = await ticketIdOf(id);
    expect(fake.tickets).toHaveLength(1);
    const [created] = fake.tickets;
    expect(String(created?.id)).toBe(ticketId);
    const body = created?.body.ticket;
    expect(body?.requester?.email).toBe('active@demo.test');
    expect(body?.tags).toEqual(['one_balance', 'talk_to_human']);
    expect(body?.comment.public).toBe(false);
    expect(body?.comment.body).toMatch(/Diagnosis: The customer asked for a person/);
    expect(body?.comment.body).toMatch(/Customer: is my account suspended\? I cannot buy postage/);
    expect(body?.comment.body).toMatch(/account number ending in \d{4}/);
    const everything = JSON.stringify(created);
    for (const canary of demoCanaries()) expect(everything).not.toContain(canary);
    const fullNumber =
      service.runtime.accounts?.embedded?.store.findRecord({ accountId: 'OB-1001' })?.accountNumber ?? 'x';
    expect(everything).not.toContain(fullNumber);
    // A person owns the conversation now: the bot keeps the message for them and is not silent
    // about it, once; a statement after that is kept without a reply each time.
    const told = await say(id, 'hello? anyone?');
    expect(told.messages.map((message) => message.text)).toEqual([
      expect.stringMatching(/^Your conversation is with our support team now \(ticket #\d+\)/),
    ]);
    expect((await transcript(id)).at(-2)).toMatchObject({ role: 'customer', text: 'hello? anyone?' });
    const kept = await say(id, 'my store is Acme Goods, in case it helps');
    expect(kept.messages).toEqual([]);
    expect((await transcript(id)).at(-1)).toMatchObject({
      role: 'customer',
      text: 'my store is Acme Goods, in case it helps',
    });
  });

  it('gives the Stamps line and files a follow-up ticket for a compliance review, without handing off', async () => {
    const id = await startAs('review@demo.test');
    const turn = await say(id, 'why is my account suspended?');
    expect(turn.escalation).toMatchObject({ kind: 'phone', reason: 'compliance_review' });
    await waitFor(() => fake.tickets.length === 1, 'the follow-up ticket');
    expect(fake.tickets[0]?.body.ticket).toMatchObject({
      priority: 'high',
      tags: ['one_balance', 'explain_suspension', 'compliance_review'],
    });
    const next = await say(id, 'how much does one balance cost?');
    expect(next.intent).toBe('pricing');
  });

  it('files a ticket for a reconnect request and for a plan without First Class', async () => {
    const disconnected = await startAs('disconnected@demo.test');
    await say(disconnected, 'my one balance account is not showing in the app');
    await say(disconnected, 'yes please');
    const noclass = await startAs('noclass@demo.test');
    await say(noclass, 'I cannot buy first class labels');
    await waitFor(() => fake.tickets.length === 2, 'two tickets');
    const reasons = fake.tickets.map((ticket) => ticket.body.ticket.subject).sort();
    expect(reasons).toEqual([
      'One Balance: Reconnect a disconnected One Balance account',
      'One Balance: Stamps.com plan does not allow First Class',
    ]);
  });

  it('gives the Stamps line and a ticket when a changed-password suspension outlasts the password advice', async () => {
    const id = await startAs('pw-changed@demo.test');
    const advice = await say(id, 'I cannot buy postage, my account is suspended');
    expect(advice.escalation).toBeNull();
    expect(advice.messages.map((message) => message.text).join(' ')).toMatch(
      /Reset your Stamps\.com password once more/,
    );
    const again = await say(id, 'I reset the password but my account is still suspended');
    expect(again.escalation).toMatchObject({ kind: 'phone', reason: 'password_changed' });
    expect(again.messages.map((message) => message.text).join(' ')).toMatch(
      /even after the password advice.*\(855\) 889-7867/,
    );
    await waitFor(() => fake.tickets.length === 1, 'the follow-up ticket');
    expect(fake.tickets[0]?.body.ticket.tags).toEqual([
      'one_balance',
      'explain_suspension',
      'password_changed',
    ]);
  });

  it('brings in a person when a registration error persists after troubleshooting', async () => {
    const id = await startAs('regfail@demo.test');
    const first = await say(id, 'my registration keeps failing');
    expect(first.escalation).toBeNull();
    const second = await say(id, 'registration still fails, the code never works');
    expect(second.escalation).toMatchObject({ kind: 'ticket', reason: 'registration_persists' });
    await waitFor(() => fake.tickets.length === 1, 'the ticket');
  });

  it('makes exactly one ticket through a 429 (honouring Retry-After) and two 5xx', async () => {
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 2, count: 1 });
    fake.inject({ kind: 'status', status: 500, count: 2 });
    const callsFrom = fake.calls.length;
    const id = await startAs('active@demo.test');
    await say(id, 'connect me with a human agent please');
    await ticketIdOf(id);
    expect(fake.requests).toBe(4);
    expect(fake.tickets).toHaveLength(1);
    const creates = fake.calls.slice(callsFrom).filter((call) => call.method === 'POST');
    expect(creates.map((call) => call.status)).toEqual([429, 500, 500, 201]);
    // Retried no sooner than Zendesk asked (for every worker of the queue: see deskLimiter).
    expect((creates[1]?.at ?? 0) - (creates[0]?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
  });
});

describe('the Zendesk webhook', () => {
  async function handedOff(): Promise<{ id: string; ticketId: string }> {
    const id = await startAs('active@demo.test');
    await say(id, 'I want to talk to a person');
    return { id, ticketId: await ticketIdOf(id) };
  }

  it('relays an agent public reply into the chat, once per delivery', async () => {
    const { id, ticketId } = await handedOff();
    const event = {
      event: 'comment_added',
      ticket_id: ticketId,
      comment: { body: 'Hi, this is Sam from support.', public: true, author_role: 'agent' },
    };
    expect((await webhook(event, { invocationId: 'same-delivery' })).json).toEqual({ status: 'applied' });
    expect((await webhook(event, { invocationId: 'same-delivery' })).json).toEqual({ status: 'duplicate' });
    const agentLines = (await transcript(id)).filter((entry) => entry.role === 'agent');
    expect(agentLines).toEqual([expect.objectContaining({ text: 'Hi, this is Sam from support.' })]);
    // Private notes and the customer's own comments are not relayed.
    await webhook({
      event: 'comment_added',
      ticket_id: ticketId,
      comment: { body: 'internal only', public: false, author_role: 'agent' },
    });
    expect((await transcript(id)).some((entry) => entry.text === 'internal only')).toBe(false);
  });

  it('hands the conversation back to the bot when the ticket is solved', async () => {
    const { id, ticketId } = await handedOff();
    expect(allTextOf(await say(id, 'still there?'))).toMatch(/with our support team now/);
    expect((await webhook({ event: 'status_changed', ticket_id: ticketId, status: 'pending' })).json).toEqual(
      { status: 'ignored' },
    );
    expect((await webhook({ event: 'status_changed', ticket_id: ticketId, status: 'solved' })).json).toEqual({
      status: 'applied',
    });
    expect((await transcript(id)).at(-1)?.text).toMatch(/marked as solved/);
    const answered = await say(id, 'how much does one balance cost?');
    expect(answered.intent).toBe('pricing');
    expect(answered.messages.length).toBeGreaterThan(0);
  });

  it('rejects a wrong secret, a hex signature, a stale timestamp and an altered body with 401', async () => {
    const event = { event: 'handed_back', ticket_id: '1' };
    expect((await webhook(event, { secret: 'not-the-webhook-secret' })).status).toBe(401);
    expect(
      (await webhook(event, { timestamp: new Date(Date.now() - 10 * 60_000).toISOString() })).status,
    ).toBe(401);
    const body = JSON.stringify(event);
    const timestamp = new Date().toISOString();
    const headers = (signature: string) => ({
      'x-zendesk-webhook-signature': signature,
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-invocation-id': 'x-1',
    });
    const { createHmac } = await import('node:crypto');
    const hex = createHmac('sha256', WEBHOOK_SECRET)
      .update(timestamp + body)
      .digest('hex');
    expect((await post('/webhooks/zendesk', body, headers(hex))).status).toBe(401);
    const altered = body.replace('"1"', '"2"');
    const rejected = await post(
      '/webhooks/zendesk',
      altered,
      headers(signZendeskWebhook(body, timestamp, WEBHOOK_SECRET)),
    );
    expect(rejected.status).toBe(401);
    expect(rejected.json).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('rejects a signed body that is not a known event with 400', async () => {
    const response = await webhook({ event: 'ticket_deleted', ticket_id: '1' });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'bad_request' } });
  });
});
